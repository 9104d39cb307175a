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

// The strings point into the parsed line and live only as long as it does.
struct Record {
    static constexpr std::size_t max_fields = 8;  // actBuild has 4; more are kept unread

    Action action = Action::none;
    bool has_id = false;
    bool has_type = false;
    bool has_payload = false;  // Determinate Nix's results carry an object instead of `fields`
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
