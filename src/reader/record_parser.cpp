// A RapidJSON SAX handler: no DOM, no allocation, strings left in place in the line. Most lines are
// build log lines and progress results, and they need only `action`, `id` and `type`. Determinate Nix's
// results carry a `payload` object instead of `fields`: a few of its members are read too.
#include <cstring>

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include "reader/record.hpp"

namespace nod {

void Record::reset() {
    if (has_payload) payload = {};  // most lines have none: nothing to clear
    action = Action::none;
    has_id = has_type = has_payload = has_sid = wrong_type = false;
    id = parent = 0;
    type = level = 0;
    field_count = 0;
    text = msg = raw_msg = {};
}

std::string_view Record::string_field(std::size_t i) const {
    const Field* f = field(i);
    return f && f->type == Field::Type::string ? f->text : std::string_view{};
}

std::uint64_t Record::number_field(std::size_t i) const {
    const Field* f = field(i);
    return f && f->type == Field::Type::number ? f->number : 0;
}

namespace {

enum class KeyName : std::uint8_t { other, action, id, type, parent, level, fields, text, msg, raw_msg, payload, sid };

KeyName classify(std::string_view k) {
    switch (k.size()) {
    case 2: return k == "id" ? KeyName::id : KeyName::other;
    case 3: return k == "msg" ? KeyName::msg : k == "sid" ? KeyName::sid : KeyName::other;
    case 4:
        if (k == "type") return KeyName::type;
        if (k == "text") return KeyName::text;
        return KeyName::other;
    case 5: return k == "level" ? KeyName::level : KeyName::other;
    case 6:
        if (k == "action") return KeyName::action;
        if (k == "parent") return KeyName::parent;
        if (k == "fields") return KeyName::fields;
        return KeyName::other;
    case 7:
        if (k == "raw_msg") return KeyName::raw_msg;
        if (k == "payload") return KeyName::payload;
        return KeyName::other;
    default: return KeyName::other;
    }
}

enum class PayloadKey : std::uint8_t {
    other, status, success, start_time, stop_time, times_built, cpu_user, cpu_system, error_msg, path, store_path
};

PayloadKey classify_payload(std::string_view k) {
    if (k == "status") return PayloadKey::status;
    if (k == "success") return PayloadKey::success;
    if (k == "startTime") return PayloadKey::start_time;
    if (k == "stopTime") return PayloadKey::stop_time;
    if (k == "timesBuilt") return PayloadKey::times_built;
    if (k == "cpuUser") return PayloadKey::cpu_user;
    if (k == "cpuSystem") return PayloadKey::cpu_system;
    if (k == "errorMsg") return PayloadKey::error_msg;
    if (k == "path") return PayloadKey::path;
    if (k == "storePath") return PayloadKey::store_path;
    return PayloadKey::other;
}

// The members of payload.path's object form.
enum class PathKey : std::uint8_t { other, drv_path, opaque };

PathKey classify_path(std::string_view k) {
    if (k == "drvPath") return PathKey::drv_path;
    if (k == "opaque") return PathKey::opaque;
    return PathKey::other;
}

Action classify_action(std::string_view a) {
    if (a == "result") return Action::result;
    if (a == "start") return Action::start;
    if (a == "stop") return Action::stop;
    if (a == "msg") return Action::msg;
    return Action::other;
}

class Handler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Handler> {
public:
    explicit Handler(Record& r) : r_(r) {}

    bool root_was_object() const { return root_object_; }
    bool too_deep() const { return too_deep_; }

    bool StartObject() {
        if (!deeper()) return false;
        if (depth_ == 0) {
            root_object_ = true;
        } else if (depth_ == 1 && key_ == KeyName::payload) {
            r_.has_payload = true;
            in_payload_ = true;
            payload_key_ = PayloadKey::other;
        } else if (payload_member() && payload_key_ == PayloadKey::path) {
            in_payload_path_ = true;
            path_key_ = PathKey::other;
        } else {
            value_at_top(ValueKind::container);
        }
        ++depth_;
        return true;
    }
    bool EndObject(rapidjson::SizeType) {
        if (depth_ == 2 && in_payload_) in_payload_ = false;
        if (depth_ == 3 && in_payload_path_) in_payload_path_ = false;
        return leave();
    }
    bool StartArray() {
        if (!deeper()) return false;
        if (depth_ == 1 && key_ == KeyName::fields) in_fields_ = true;
        else value_at_top(ValueKind::container);
        ++depth_;
        return true;
    }
    bool EndArray(rapidjson::SizeType) {
        if (depth_ == 2 && in_fields_) in_fields_ = false;
        return leave();
    }
    bool Key(const char* s, rapidjson::SizeType n, bool) {
        if (depth_ == 1) key_ = classify({s, n});
        else if (payload_member()) payload_key_ = classify_payload({s, n});
        else if (path_member()) path_key_ = classify_path({s, n});
        return true;
    }
    bool String(const char* s, rapidjson::SizeType n, bool) {
        std::string_view v{s, n};
        if (field_slot()) {
            auto& f = r_.fields[r_.field_count - 1];
            f.type = Field::Type::string;
            f.text = v;
            return true;
        }
        if (payload_member()) return payload_string(v);
        if (path_member()) {
            if (path_key_ != PathKey::other) {
                r_.payload.path_text = v;
                r_.payload.path_form =
                    path_key_ == PathKey::drv_path ? Payload::PathForm::drv_path : Payload::PathForm::opaque;
                r_.payload.members |= Payload::path;
            }
            return true;
        }
        if (depth_ != 1) return true;
        switch (key_) {
        case KeyName::action: r_.action = classify_action(v); break;
        case KeyName::text: r_.text = v; break;
        case KeyName::msg: r_.msg = v; break;
        case KeyName::raw_msg: r_.raw_msg = v; break;
        case KeyName::sid: r_.has_sid = true; break;
        default: value_at_top(ValueKind::string); break;
        }
        return true;
    }
    bool Uint64(std::uint64_t u) {
        if (field_slot()) {
            auto& f = r_.fields[r_.field_count - 1];
            f.type = Field::Type::number;
            f.number = u;
            return true;
        }
        if (payload_member()) return payload_number(u);
        if (depth_ != 1) return true;
        switch (key_) {
        case KeyName::id: r_.id = u; r_.has_id = true; break;
        case KeyName::parent: r_.parent = u; break;
        case KeyName::type:
        case KeyName::level:
            if (u > static_cast<std::uint64_t>(INT64_MAX)) { r_.wrong_type = true; break; }
            (key_ == KeyName::type ? r_.type : r_.level) = static_cast<std::int64_t>(u);
            if (key_ == KeyName::type) r_.has_type = true;
            break;
        default: value_at_top(ValueKind::number); break;
        }
        return true;
    }
    bool Uint(unsigned u) { return Uint64(u); }
    bool Int(int i) { return i >= 0 ? Uint64(static_cast<std::uint64_t>(i)) : Negative(i); }
    bool Int64(std::int64_t i) { return i >= 0 ? Uint64(static_cast<std::uint64_t>(i)) : Negative(i); }
    // Beyond 64 bits RapidJSON falls back to double: an id there cannot be an activity id.
    bool Double(double) { return Other(ValueKind::number); }
    bool Bool(bool b) {
        if (payload_member()) {
            if (payload_key_ == PayloadKey::success) {
                r_.payload.success_value = b;
                r_.payload.members |= Payload::success;
            } else if (payload_key_ != PayloadKey::other) {
                r_.wrong_type = true;
            }
            return true;
        }
        return Other(ValueKind::scalar);
    }
    bool Null() { return Other(ValueKind::scalar); }

private:
    enum class ValueKind : std::uint8_t { container, string, number, scalar };

    // False (which stops the parse) when one more level would pass max_record_depth.
    bool deeper() {
        if (depth_ < max_record_depth) return true;
        too_deep_ = true;
        return false;
    }

    // Directly inside the record's payload object, or inside its `path` object.
    bool payload_member() const { return in_payload_ && !in_payload_path_ && depth_ == 2; }
    bool path_member() const { return in_payload_path_ && depth_ == 3; }

    bool payload_string(std::string_view v) {
        Payload& p = r_.payload;
        switch (payload_key_) {
        case PayloadKey::status: p.status_text = v; p.members |= Payload::status; break;
        case PayloadKey::error_msg: p.error_msg_text = v; p.members |= Payload::error_msg; break;
        case PayloadKey::store_path: p.store_path_text = v; p.members |= Payload::store_path; break;
        case PayloadKey::path:
            p.path_text = v;
            p.path_form = Payload::PathForm::plain;
            p.members |= Payload::path;
            break;
        case PayloadKey::other: break;
        default: r_.wrong_type = true; break;
        }
        return true;
    }
    bool payload_number(std::uint64_t u) {
        Payload& p = r_.payload;
        auto set = [&](std::uint64_t& value, Payload::Member m) {
            value = u;
            p.members |= m;
        };
        switch (payload_key_) {
        case PayloadKey::start_time: set(p.start_time_value, Payload::start_time); break;
        case PayloadKey::stop_time: set(p.stop_time_value, Payload::stop_time); break;
        case PayloadKey::times_built: set(p.times_built_value, Payload::times_built); break;
        case PayloadKey::cpu_user: set(p.cpu_user_value, Payload::cpu_user); break;
        case PayloadKey::cpu_system: set(p.cpu_system_value, Payload::cpu_system); break;
        case PayloadKey::other: break;
        default: r_.wrong_type = true; break;
        }
        return true;
    }

    bool Negative(std::int64_t i) {
        if (depth_ == 1 && (key_ == KeyName::type || key_ == KeyName::level)) {
            (key_ == KeyName::type ? r_.type : r_.level) = i;
            if (key_ == KeyName::type) r_.has_type = true;
            return true;
        }
        return Other(ValueKind::number);
    }
    bool Other(ValueKind kind) {
        if (field_slot()) return true;  // stays Field::Type::other
        if (depth_ == 1) value_at_top(kind);
        else if (payload_member()) payload_other(kind);
        return true;
    }
    // A member of the payload nod reads, with a value of another JSON type; null reads as absent.
    void payload_other(ValueKind kind) {
        if (payload_key_ != PayloadKey::other && kind != ValueKind::scalar) r_.wrong_type = true;
    }
    // Counts a value inside `fields` and says whether it is a direct element worth keeping.
    bool field_slot() {
        if (!in_fields_ || depth_ != 2) return false;
        ++r_.field_count;
        if (r_.field_count > Record::max_fields) return false;
        r_.fields[r_.field_count - 1].type = Field::Type::other;  // until a value says otherwise
        return true;
    }
    // A value of a type nod does not expect under a key it reads.
    void value_at_top(ValueKind kind) {
        if (depth_ != 1) {
            if (in_fields_ && depth_ == 2) field_slot();  // a nested container as a field: kept as other
            else if (payload_member() && kind == ValueKind::container) payload_other(kind);
            return;
        }
        switch (key_) {
        case KeyName::other: return;
        case KeyName::msg:
        case KeyName::raw_msg:
            if (kind == ValueKind::scalar) return;  // logEI sends null positions; msg null is odd but harmless
            break;
        case KeyName::parent:
            if (kind == ValueKind::scalar) return;
            break;
        default: break;
        }
        r_.wrong_type = true;
    }
    bool leave() {
        --depth_;
        return true;
    }

    Record& r_;
    int depth_ = 0;
    KeyName key_ = KeyName::other;
    bool in_fields_ = false;
    bool in_payload_ = false;       // inside the record's `payload` object
    bool in_payload_path_ = false;  // inside payload.path's object
    PayloadKey payload_key_ = PayloadKey::other;
    PathKey path_key_ = PathKey::other;
    bool root_object_ = false;
    bool too_deep_ = false;
};

}  // namespace

ParseStatus parse_record(char* line, std::size_t size, Record& out) {
    out.reset();
    if (std::memchr(line, '\0', size)) return ParseStatus::nul_byte;
    Handler handler(out);
    rapidjson::Reader reader;
    rapidjson::InsituStringStream stream(line);
    // Iterative: RapidJSON's default parse recurses once per nesting level, and a line of a million `[`
    // (well under the line cap) would run off the thread's stack before any depth check could stop it.
    auto result = reader.Parse<rapidjson::kParseInsituFlag | rapidjson::kParseIterativeFlag>(stream, handler);
    if (handler.too_deep()) {
        out.reset();
        return ParseStatus::too_deep;
    }
    if (result.IsError()) return ParseStatus::malformed;
    if (!handler.root_was_object()) {
        out.reset();
        return ParseStatus::not_object;
    }
    return ParseStatus::ok;
}

}  // namespace nod
