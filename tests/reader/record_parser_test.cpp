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

// The members nod reads of Determinate Nix's payloads: at the payload's level, and `path`'s object one below;
// nothing deeper (G1's builtOutputs {"out":{"path":…}} is not the payload's path).
TEST(RecordParser, PayloadMembersOfABuildResult) {
    auto p = parse(
        R"({"action":"result","id":0,"payload":{"builtOutputs":{"out":{"outPath":"q3w-hello-2.12","signatures":[]}},)"
        R"("cpuSystem":41000,"cpuUser":912000,"path":{"drvPath":"7xk-hello-2.12.drv","outputs":["*"]},)"
        R"("provenance":{"type":"flake","path":"x"},"startTime":1755790000,"status":"Built","stopTime":1755790012,)"
        R"("success":true,"timesBuilt":1},"sid":"019e037b-f603-7443-8071-cfd8585ec8c6","type":110})");
    ASSERT_EQ(p.status, ParseStatus::ok);
    const Record& r = p.record;
    EXPECT_TRUE(r.has_payload);
    EXPECT_EQ(r.type, 110);
    EXPECT_EQ(r.id, 0u);
    EXPECT_TRUE(r.has_id);
    EXPECT_FALSE(r.wrong_type);
    const Payload& pl = r.payload;
    EXPECT_EQ(pl.status_text, "Built");
    EXPECT_TRUE(pl.has(Payload::success) && pl.success_value);
    EXPECT_EQ(pl.start_time_value, 1755790000u);
    EXPECT_EQ(pl.stop_time_value, 1755790012u);
    EXPECT_EQ(pl.times_built_value, 1u);
    EXPECT_EQ(pl.cpu_user_value, 912000u);
    EXPECT_EQ(pl.cpu_system_value, 41000u);
    EXPECT_EQ(pl.path_form, Payload::PathForm::drv_path);
    EXPECT_EQ(pl.path_text, "7xk-hello-2.12.drv");
    EXPECT_FALSE(pl.has(Payload::error_msg) || pl.has(Payload::store_path));
    EXPECT_EQ(r.field_count, 0u);

    auto g1 = parse(R"({"action":"result","id":7,"payload":{"builtOutputs":{"out":{"path":"q3w-x","signatures":[]}},)"
                    R"("errorMsg":"a\nb","path":{"outputs":["out"],"drvPath":"7xk-x.drv"},"status":"Built"},"type":110})");
    ASSERT_EQ(g1.status, ParseStatus::ok);
    EXPECT_EQ(g1.record.payload.path_text, "7xk-x.drv") << "not builtOutputs' path";
    EXPECT_EQ(g1.record.payload.error_msg_text, "a\nb");
    EXPECT_FALSE(g1.record.payload.has(Payload::success) || g1.record.payload.has(Payload::start_time) ||
                 g1.record.payload.has(Payload::cpu_user));
    auto opaque = parse(R"({"action":"result","id":0,"payload":{"path":{"opaque":"q3w-x"},"status":"Substituted"},"type":110})");
    EXPECT_EQ(opaque.record.payload.path_form, Payload::PathForm::opaque);
    EXPECT_EQ(opaque.record.payload.path_text, "q3w-x");
    auto plain = parse(R"({"action":"result","id":0,"payload":{"path":"q3w-x","status":"Substituted"},"type":110})");
    EXPECT_EQ(plain.record.payload.path_form, Payload::PathForm::plain);
    EXPECT_EQ(plain.record.payload.path_text, "q3w-x");
}

TEST(RecordParser, PayloadOfAHashMismatchAndOddValues) {
    auto p = parse(R"({"action":"result","id":4294967301234,"payload":{"got":{"algo":"sha256","base16":"bb"},)"
                   R"("storePath":"/nix/store/x-src.drv","wanted":"sha256-AAAA="},"type":109})");
    ASSERT_EQ(p.status, ParseStatus::ok);
    EXPECT_EQ(p.record.payload.store_path_text, "/nix/store/x-src.drv");
    EXPECT_FALSE(p.record.payload.has(Payload::path));
    EXPECT_FALSE(p.record.wrong_type);
    for (const char* line : {R"({"action":"result","id":0,"payload":{"status":1},"type":110})",
                             R"({"action":"result","id":0,"payload":{"success":1},"type":110})",
                             R"({"action":"result","id":0,"payload":{"startTime":-5},"type":110})",
                             R"({"action":"result","id":0,"payload":{"cpuUser":1.5},"type":110})",
                             R"({"action":"result","id":0,"payload":{"path":["x"]},"type":110})",
                             R"({"action":"result","id":0,"payload":{"status":true},"type":110})",
                             R"({"action":"result","id":0,"payload":{"errorMsg":{}},"type":110})"}) {
        auto q = parse(line);
        EXPECT_EQ(q.status, ParseStatus::ok) << line;
        EXPECT_TRUE(q.record.wrong_type) << line;
        EXPECT_EQ(q.record.payload.members, 0) << line;
    }
    auto null = parse(R"({"action":"result","id":0,"payload":{"errorMsg":null,"status":"Built"},"type":110})");
    EXPECT_FALSE(null.record.wrong_type) << "null reads as absent";
    EXPECT_FALSE(null.record.payload.has(Payload::error_msg));
    // A payload that is no object is the record's wrong type, and no payload.
    auto array = parse(R"({"action":"result","id":0,"payload":[1],"type":110})");
    EXPECT_TRUE(array.record.wrong_type);
    EXPECT_FALSE(array.record.has_payload);
}

TEST(RecordParser, AReusedRecordKeepsNoPayloadFromTheLineBefore) {
    Record r;
    std::string first = R"({"action":"result","id":0,"payload":{"path":"a","status":"Built","cpuUser":5},"type":110})";
    ASSERT_EQ(parse_record(first.data(), first.size(), r), ParseStatus::ok);
    EXPECT_TRUE(r.payload.has(Payload::cpu_user));
    std::string second = R"({"action":"result","id":0,"payload":{"status":"Built"},"type":110})";
    ASSERT_EQ(parse_record(second.data(), second.size(), r), ParseStatus::ok);
    EXPECT_EQ(r.payload.members, Payload::status);
    EXPECT_EQ(r.payload.path_form, Payload::PathForm::none);
    std::string third = R"({"action":"stop","id":1})";
    ASSERT_EQ(parse_record(third.data(), third.size(), r), ParseStatus::ok);
    EXPECT_FALSE(r.has_payload);
    EXPECT_EQ(r.payload.members, 0);
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
