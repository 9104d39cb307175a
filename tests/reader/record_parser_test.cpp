#include <gtest/gtest.h>

#include <string>

#include "reader/record.hpp"

namespace nod {
namespace {

struct Parsed {
    ParseStatus status;
    Record record;
    std::string storage;  // keeps the record's string views alive
};

Parsed parse(std::string line) {
    Parsed p;
    p.storage = std::move(line);
    p.status = parse_record(p.storage.data(), p.storage.size(), p.record);
    return p;
}

TEST(RecordParser, BuildStart) {
    auto p = parse(R"({"action":"start","fields":["/nix/store/abc-x.drv","ssh-ng://b",1,1],"id":124798864719877,)"
                   R"("level":3,"parent":0,"text":"building","type":105})");
    ASSERT_EQ(p.status, ParseStatus::ok);
    const Record& r = p.record;
    EXPECT_EQ(r.action, Action::start);
    EXPECT_EQ(r.id, 124798864719877u);
    EXPECT_EQ(r.type, 105);
    EXPECT_EQ(r.level, 3);
    EXPECT_EQ(r.field_count, 4u);
    EXPECT_EQ(r.string_field(0), "/nix/store/abc-x.drv");
    EXPECT_EQ(r.string_field(1), "ssh-ng://b");
    EXPECT_EQ(r.number_field(2), 1u);
    EXPECT_EQ(r.text, "building");
    EXPECT_FALSE(r.wrong_type);
}

TEST(RecordParser, StopResultAndMsg) {
    auto stop = parse(R"({"action":"stop","id":5})");
    EXPECT_EQ(stop.record.action, Action::stop);
    EXPECT_TRUE(stop.record.has_id);
    auto result = parse(R"({"action":"result","fields":[1,4,0,0],"id":7,"type":105})");
    EXPECT_EQ(result.record.action, Action::result);
    EXPECT_EQ(result.record.number_field(1), 4u);
    auto msg = parse(R"({"action":"msg","column":null,"file":null,"level":0,"line":null,"msg":"a\u001b[0m","raw_msg":"b"})");
    EXPECT_EQ(msg.record.action, Action::msg);
    EXPECT_EQ(msg.record.msg, "a\x1b[0m");
    EXPECT_EQ(msg.record.raw_msg, "b");
    EXPECT_FALSE(msg.record.wrong_type);
}

TEST(RecordParser, IdsBeyond53BitsStayExact) {
    auto p = parse(R"({"action":"stop","id":18446744073709551615})");
    ASSERT_EQ(p.status, ParseStatus::ok);
    EXPECT_EQ(p.record.id, 18446744073709551615ULL);
    auto q = parse(R"({"action":"stop","id":11780004371234837})");
    EXPECT_EQ(q.record.id, 11780004371234837ULL);
}

TEST(RecordParser, NumbersBeyond64BitsAreNotIds) {
    auto p = parse(R"({"action":"stop","id":18446744073709551616})");
    ASSERT_EQ(p.status, ParseStatus::ok);
    EXPECT_FALSE(p.record.has_id);
    EXPECT_TRUE(p.record.wrong_type);
}

TEST(RecordParser, MissingAndExtraKeysAreTolerated) {
    auto p = parse(R"({"sid":"0190-uuid","action":"start","id":1,"type":108,"new":{"deep":[1,{"x":2}]}})");
    ASSERT_EQ(p.status, ParseStatus::ok);
    EXPECT_EQ(p.record.action, Action::start);
    EXPECT_EQ(p.record.field_count, 0u);
    EXPECT_EQ(p.record.parent, 0u);
    EXPECT_FALSE(p.record.wrong_type);
}

TEST(RecordParser, PayloadInsteadOfFields) {
    auto p = parse(R"({"action":"result","id":9,"payload":{"success":true,"fields":[1,2]},"type":110})");
    ASSERT_EQ(p.status, ParseStatus::ok);
    EXPECT_TRUE(p.record.has_payload);
    EXPECT_EQ(p.record.field_count, 0u) << "a nested fields key is not the record's";
}

TEST(RecordParser, WrongTypesAreFlaggedNotFatal) {
    for (const char* line : {R"({"action":"stop","id":"12"})", R"({"action":"stop","id":-3})",
                             R"({"action":"stop","id":1.5})", R"({"action":7,"id":1})",
                             R"({"action":"start","id":1,"type":"105"})", R"({"action":"start","id":1,"type":105,"fields":{}})"}) {
        auto p = parse(line);
        EXPECT_EQ(p.status, ParseStatus::ok) << line;
        EXPECT_TRUE(p.record.wrong_type) << line;
    }
}

TEST(RecordParser, FieldsOfOddTypesAreKeptAsOther) {
    auto p = parse(R"({"action":"start","id":1,"type":105,"fields":[null,-1,2.5,[1],{"a":1},"s",7,8,9,10]})");
    ASSERT_EQ(p.status, ParseStatus::ok);
    EXPECT_EQ(p.record.field_count, 10u);
    EXPECT_EQ(p.record.fields[0].type, Field::Type::other);
    EXPECT_EQ(p.record.fields[1].type, Field::Type::other);
    EXPECT_EQ(p.record.fields[3].type, Field::Type::other);
    EXPECT_EQ(p.record.fields[4].type, Field::Type::other);
    EXPECT_EQ(p.record.string_field(5), "s");
    EXPECT_EQ(p.record.number_field(6), 7u);
    EXPECT_EQ(p.record.field(9), nullptr) << "only max_fields are kept";
}

TEST(RecordParser, MalformedInput) {
    for (const char* line : {"", "{", R"({"action":"stop","id":5)", R"({"action":"stop" "id":5})", "nix is great",
                             R"({"action":"stop","id":5}})", R"({"action":"stop","id":5} trailing)", "{\"a\":\"\x01\"}"}) {
        EXPECT_EQ(parse(line).status, ParseStatus::malformed) << line;
    }
}

TEST(RecordParser, NonObjectRoots) {
    for (const char* line : {"[1,2,3]", "42", R"("start")", "null", "true"}) {
        auto p = parse(line);
        EXPECT_EQ(p.status, ParseStatus::not_object) << line;
        EXPECT_EQ(p.record.action, Action::none) << line;
    }
}

TEST(RecordParser, NulByteInsideTheLine) {
    std::string line = R"({"action":"stop","id":5})";
    line.insert(5, 1, '\0');
    EXPECT_EQ(parse(line).status, ParseStatus::nul_byte);
    std::string after = std::string(R"({"action":"stop","id":5})") + '\0' + "junk";
    EXPECT_EQ(parse(after).status, ParseStatus::nul_byte);
}

TEST(RecordParser, InvalidUtf8IsPassedThroughForTheTrackerToRepair) {
    auto p = parse("{\"action\":\"start\",\"id\":1,\"type\":105,\"fields\":[\"/nix/store/x-\xff\xfe.drv\"]}");
    ASSERT_EQ(p.status, ParseStatus::ok);
    EXPECT_EQ(p.record.string_field(0), "/nix/store/x-\xff\xfe.drv");
}

TEST(RecordParser, AReusedRecordKeepsNothingFromTheLineBefore) {
    Record r;
    std::string first = R"({"action":"start","fields":["/nix/store/a.drv",7],"id":1,"msg":"m","type":105})";
    ASSERT_EQ(parse_record(first.data(), first.size(), r), ParseStatus::ok);
    std::string second = R"({"action":"start","fields":[null,[2]],"id":2,"type":100})";
    ASSERT_EQ(parse_record(second.data(), second.size(), r), ParseStatus::ok);
    EXPECT_EQ(r.field_count, 2u);
    EXPECT_EQ(r.fields[0].type, Field::Type::other);
    EXPECT_EQ(r.fields[1].type, Field::Type::other);
    EXPECT_EQ(r.string_field(0), "");
    EXPECT_EQ(r.msg, "");
    std::string third = "[1]";
    EXPECT_EQ(parse_record(third.data(), third.size(), r), ParseStatus::not_object);
    EXPECT_FALSE(r.has_id);
}

TEST(RecordParser, UnknownActionIsOther) {
    auto p = parse(R"({"action":"setPhase","phase":"buildPhase"})");
    ASSERT_EQ(p.status, ParseStatus::ok);
    EXPECT_EQ(p.record.action, Action::other);
}

// A line of nested brackets well under the line cap once crashed the collector: the parse recursed per
// level and ran off the thread's stack. It is iterative now, and stops at max_record_depth.
TEST(RecordParser, DeepNestingIsRefusedWithoutRecursion) {
    std::string line = R"({"action":"msg","level":0,"msg":"x","x":)" + std::string(900'000, '[');
    auto p = parse(line);
    EXPECT_EQ(p.status, ParseStatus::too_deep);
    EXPECT_EQ(p.record.action, Action::none) << "nothing of a refused line is kept";
    auto closed = parse(R"({"action":"stop","id":5,"x":)" + std::string(900'000, '[') + std::string(900'000, ']') + "}");
    EXPECT_EQ(closed.status, ParseStatus::too_deep);
}

TEST(RecordParser, NestingUpToTheBoundIsRead) {
    auto nested = [](int levels) {  // the record itself is one level
        return R"({"action":"stop","id":5,"x":)" + std::string(static_cast<std::size_t>(levels - 1), '[') +
               std::string(static_cast<std::size_t>(levels - 1), ']') + "}";
    };
    auto at = parse(nested(max_record_depth));
    ASSERT_EQ(at.status, ParseStatus::ok);
    EXPECT_EQ(at.record.action, Action::stop);
    EXPECT_EQ(at.record.id, 5u);
    EXPECT_EQ(parse(nested(max_record_depth + 1)).status, ParseStatus::too_deep);
}

}  // namespace
}  // namespace nod
