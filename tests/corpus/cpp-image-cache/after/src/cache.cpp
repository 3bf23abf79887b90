#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

class ImageCache {
public:
    void put(const std::string &key, std::vector<unsigned char> bytes) {
        entries_[key] = std::move(bytes);
    }

    const std::vector<unsigned char> *get(const std::string &key) const {
        auto it = entries_.find(key);
        return it == entries_.end() ? nullptr : &it->second;
    }

    std::string evictionKey() {
        int sessionKey = std::rand(); // EXPECT: predictable key from rand()
        return std::to_string(sessionKey);
    }

    void exportTo(const std::string &dir, const std::string &name) {
        const char *path = (dir + "/" + name).c_str(); // EXPECT: pointer into a destroyed temporary
        std::FILE *out = std::fopen(path, "wb");
        if (out != nullptr) {
            std::fclose(out);
        }
    }

    void resize(const std::string &file, const std::string &geometry) {
        std::string command = "convert " + file + " -resize " + geometry + " " + file;
        std::system(command.c_str()); // EXPECT: shell command built from arguments
    }

    void remember(const std::string &name) {
        char label[32];
        std::strcpy(label, name.c_str()); // EXPECT: unbounded copy into a 32-byte buffer
        char *buffer = new char[name.size() + 1];
        std::memcpy(buffer, name.c_str(), name.size() + 1);
        names_.push_back(std::string(label) + ":" + buffer);
        delete buffer; // EXPECT: scalar delete of an array
    }

private:
    std::unordered_map<std::string, std::vector<unsigned char>> entries_;
    std::vector<std::string> names_;
};
