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

private:
    std::unordered_map<std::string, std::vector<unsigned char>> entries_;
};
