#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdlib>

int main(int argc, char** argv) {
  // Apps in tests serve their web views on ports the system picks: several
  // run at once (in one test, and in parallel tests), and 6066 may be taken.
  // A test that wants a port sets it in the app's settings.
  setenv("F_WEB_PORT", "0", /*overwrite=*/0);
  return doctest::Context(argc, argv).run();
}
