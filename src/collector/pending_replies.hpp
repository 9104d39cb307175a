// Calls that wait for a worker thread's answer, kept on the event loop's thread. An sdbus::Result points
// into its connection (sdbus-c++ 1.2.0 keeps a raw pointer to the connection's sd-bus interface), so it
// must neither outlive the connection nor be dropped on a worker thread: the jobs carry only an id, and
// the Service that holds this goes before its connection does.
#pragma once

#include <cstdint>
#include <memory>
#include <unordered_map>

namespace nod::collector {

class PendingReplies {
public:
    using Id = std::uint64_t;

    // Keeps `result` until take(); returns the id to take it by.
    template <typename Result>
    Id keep(Result&& result) {
        Id id = next_++;
        replies_.emplace(id, std::make_shared<Result>(std::move(result)));
        return id;
    }

    // The reply kept under `id`, now the caller's; nullptr when there is none. `Result` must be the type
    // it was kept as.
    template <typename Result>
    std::shared_ptr<Result> take(Id id) {
        auto found = replies_.find(id);
        if (found == replies_.end()) return nullptr;
        auto result = std::static_pointer_cast<Result>(std::move(found->second));
        replies_.erase(found);
        return result;
    }

private:
    Id next_ = 1;
    std::unordered_map<Id, std::shared_ptr<void>> replies_;
};

}  // namespace nod::collector
