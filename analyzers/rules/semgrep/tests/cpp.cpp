#include <cstdlib>
#include <string>

std::string make_name();

void arrays(int n) {
    int *values = new int[n];
    // ruleid: cpp-new-array-scalar-delete
    delete values;
    int *one = new int(5);
    // ok: cpp-new-array-scalar-delete
    delete one;
    int *more = new int[n];
    // ok: cpp-new-array-scalar-delete
    delete[] more;
}

void strings() {
    // ruleid: cpp-dangling-c-str
    const char *name = make_name().c_str();
    std::string kept = make_name();
    // ok: cpp-dangling-c-str
    const char *safe = kept.c_str();
}

void secrets() {
    // ruleid: cpp-insecure-rand-secret
    int session_token = std::rand();
    // ok: cpp-insecure-rand-secret
    int dice = std::rand() % 6;
}
