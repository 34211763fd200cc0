// Provides std::ios_base_library_init(), the one GLIBCXX_3.4.32 (GCC 13) symbol that TorchSharp's
// libLibTorchSharp.so needs, for hosts whose libstdc++ is older (Debian 12 ships GLIBCXX_3.4.30).
// GCC 13 emits a call to it from every translation unit including <iostream>; its job is to make
// sure the standard streams are constructed, which a static std::ios_base::Init does as well.
#include <ios>

namespace std {
void ios_base_library_init() {
    static ios_base::Init init;
}
}
