//===- Pipelines.cpp - Registration of icl passes and pipelines -----------===//

#include "passes/Passes.h"

void mlir::icl::registerIclPassesAndPipelines() { registerIclPasses(); }
