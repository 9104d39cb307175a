// One line of Nix's JSON log, as far as nod needs to know it.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace nod {

enum class Action : std::uint8_t { none, start, stop, result, msg, other };

// A positional entry of `fields`: Nix only ever sends unsigned integers and strings there.
struct Field {
    enum class Type : std::uint8_t { number, string, other } type = Type::other;
    std::uint64_t number = 0;
    std::string_view text;
};

// Determinate Nix's `payload` of a result (resHashMismatch 109, resBuildResult 110): the members nod reads,
// at the payload's own level and, for `path`, one below. Each `has` bit says the member was there with
// the expected JSON type; the strings point into the line.
struct Payload {
    enum Member : std::uint16_t {
        status = 1 << 0,
        success = 1 << 1,
        start_time = 1 << 2,
        stop_time = 1 << 3,
        times_built = 1 << 4,
        cpu_user = 1 << 5,
        cpu_system = 1 << 6,
        error_msg = 1 << 7,
        path = 1 << 8,
        store_path = 1 << 9,
    };
    // `path` is a store path's base name: a plain string (substitutions, 3.15+), {"opaque": …} (3.1–3.14) or
    // the `drvPath` of {"drvPath": …, "outputs": …} (derivations).
    enum class PathForm : std::uint8_t { none, plain, opaque, drv_path };

    std::uint16_t members = 0;
    PathForm path_form = PathForm::none;
    bool success_value = false;
    std::string_view status_text;
    std::string_view error_msg_text;
    std::string_view path_text;
    std::string_view store_path_text;  // type 109: the full .drv path
    std::uint64_t start_time_value = 0;  // seconds since the epoch (time_t)
    std::uint64_t stop_time_value = 0;
    std::uint64_t times_built_value = 0;
    std::uint64_t cpu_user_value = 0;  // µs
    std::uint64_t cpu_system_value = 0;

    bool has(Member m) const { return (members & m) != 0; }
};

// The strings point into the parsed line and live only as long as it does.
struct Record {
    static constexpr std::size_t max_fields = 8;  // actBuild has 4; more are kept unread

    Action action = Action::none;
    bool has_id = false;
    bool has_type = false;
    bool has_payload = false;  // Determinate Nix's results carry an object instead of `fields`
    bool has_sid = false;      // a string `sid`: Determinate Nix from 3.20 puts it on every record
    bool wrong_type = false;   // a key nod reads had a value of another JSON type
    std::uint64_t id = 0;
    std::int64_t type = 0;
    std::uint64_t parent = 0;  // absent before Nix 2.18, and 0 for "none"
    std::int64_t level = 0;
    std::size_t field_count = 0;  // may exceed max_fields; only the first max_fields are kept
    std::array<Field, max_fields> fields{};
    std::string_view text;
    std::string_view msg;
    std::string_view raw_msg;
    Payload payload;  // meaningful only when has_payload

    // Back to "nothing read" without touching `fields` (only the first field_count entries count):
    // this runs once per line, and most lines have no fields worth clearing.
    void reset();

    const Field* field(std::size_t i) const { return i < field_count && i < max_fields ? &fields[i] : nullptr; }
    std::string_view string_field(std::size_t i) const;
    // Nix sends progress as non-negative integers; anything else reads as 0.
    std::uint64_t number_field(std::size_t i) const;
};

enum class ParseStatus : std::uint8_t {
    ok,
    malformed,   // not JSON (syntax error, truncated, numbers where they cannot be)
    not_object,  // valid JSON whose root is not an object
    nul_byte,    // a raw NUL inside the line: JSON cannot contain one
    too_deep,    // arrays or objects nested deeper than max_record_depth
};

// Nix nests at most 3 deep (a record, its `fields`, an object in Determinate Nix's `payload` or a
// `trace`); anything much deeper is not Nix. The parse is iterative besides, so no depth costs stack.
inline constexpr int max_record_depth = 32;

// Parses a NUL-terminated line in place (strings are unescaped inside `line`) into `out`, which it resets.
// Never throws and never recurses; reads only the keys listed in Record and skips everything else.
ParseStatus parse_record(char* line, std::size_t size, Record& out);

}  // namespace nod
