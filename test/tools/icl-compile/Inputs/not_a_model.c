/* A shared library that is not an icl model. */
int answer(void) { return 42; }
