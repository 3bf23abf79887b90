#include <cstring>
#include <string>

// The C rules also run on C++ files, where the functions are often called through std::.
void names(const std::string &name) {
    char label[32];
    // ruleid: c-unbounded-string-copy
    std::strcpy(label, name.c_str());
    // ruleid: c-unbounded-string-copy
    std::strcat(label, name.c_str());
    // ok: c-unbounded-string-copy
    std::strcpy(label, "unnamed");
}
