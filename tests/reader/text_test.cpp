#include <gtest/gtest.h>

#include "reader/failure_message.hpp"
#include "reader/text.hpp"

namespace nod {
namespace {

TEST(NameFromStorePath, StripsFolderHashAndDrv) {
    EXPECT_EQ(name_from_store_path("/nix/store/hbbnipcyw4y13qp8mv549smy8ilj335x-hx-data-0.9.drv"), "hx-data-0.9");
    EXPECT_EQ(name_from_store_path("/nix/store/3g0zdk5prmm6y7gx38l88rkvm72sy2c7-hs-big-2"), "hs-big-2");
    EXPECT_EQ(name_from_store_path("/custom/store/hbbnipcyw4y13qp8mv549smy8ilj335x-x.drv"), "x");
}

TEST(NameFromStorePath, LeavesOddPathsReadable) {
    EXPECT_EQ(name_from_store_path("not-a-store-path"), "not-a-store-path");
    EXPECT_EQ(name_from_store_path("/nix/store/short-name.drv"), "short-name");
    EXPECT_EQ(name_from_store_path("/nix/store/HBBNIPCYW4Y13QP8MV549SMY8ILJ335X-upper"),
              "HBBNIPCYW4Y13QP8MV549SMY8ILJ335X-upper") << "not Nix's base-32 alphabet";
    EXPECT_EQ(name_from_store_path(".drv"), ".drv");
    EXPECT_EQ(name_from_store_path(""), "");
}

TEST(ValidUtf8, KeepsValidTextAndRepairsTheRest) {
    bool repaired = false;
    EXPECT_EQ(valid_utf8("hello ünïcødé €𝄞", repaired), "hello ünïcødé €𝄞");
    EXPECT_FALSE(repaired);
    EXPECT_EQ(valid_utf8("a\xff" "b", repaired), "a\xEF\xBF\xBD" "b");
    EXPECT_TRUE(repaired);
    repaired = false;
    EXPECT_EQ(valid_utf8("\xC0\xAF", repaired), "\xEF\xBF\xBD\xEF\xBF\xBD") << "overlong";
    EXPECT_EQ(valid_utf8("\xED\xA0\x80", repaired), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD") << "surrogate";
    EXPECT_EQ(valid_utf8("\xE2\x82", repaired), "\xEF\xBF\xBD\xEF\xBF\xBD") << "truncated";
    EXPECT_TRUE(repaired);
}

TEST(StripAnsi, RemovesColours) {
    EXPECT_EQ(strip_ansi("\x1b[31;1merror:\x1b[0m builder for '\x1b[35;1m/x.drv\x1b[0m'"), "error: builder for '/x.drv'");
    EXPECT_EQ(strip_ansi("plain"), "plain");
    EXPECT_EQ(strip_ansi("cut\x1b["), "cut");
}

TEST(BuildFailure, Nix230Wording) {
    auto f = parse_build_failure(
        "\x1b[0mCannot build '\x1b[35;1m/nix/store/0x9hfrsahsh4zajgvzcrym1npc5g7l0j-hl-fail-9.drv\x1b[0m'.\n"
        "Reason: \x1b[31;1mbuilder failed with exit code 3\x1b[0m.");
    ASSERT_TRUE(f);
    EXPECT_EQ(f->drv_path, "/nix/store/0x9hfrsahsh4zajgvzcrym1npc5g7l0j-hl-fail-9.drv");
    EXPECT_FALSE(f->dependency_only);
}

TEST(BuildFailure, DependencyFailureIsNotTheBuildsOwn) {
    auto f = parse_build_failure("Cannot build '/nix/store/x-consumer.drv'.\nReason: 1 dependency failed.");
    ASSERT_TRUE(f);
    EXPECT_TRUE(f->dependency_only);
    auto g = parse_build_failure("Cannot build '/nix/store/x-c.drv'.\n       Reason: 2 dependencies failed.");
    ASSERT_TRUE(g);
    EXPECT_TRUE(g->dependency_only);
}

TEST(BuildFailure, Nix28WordingAndHashMismatch) {
    auto f = parse_build_failure("builder for '\x1b[35;1m/nix/store/q-s2-fail.drv\x1b[0m' failed with exit code 1;\n last 2 log lines:");
    ASSERT_TRUE(f);
    EXPECT_EQ(f->drv_path, "/nix/store/q-s2-fail.drv");
    auto g = parse_build_failure("hash mismatch in fixed-output derivation '/nix/store/h-src.drv':\n specified: sha256-x");
    ASSERT_TRUE(g);
    EXPECT_EQ(g->drv_path, "/nix/store/h-src.drv");
}

TEST(BuildFailure, OtherMessagesAreNotFailures) {
    EXPECT_FALSE(parse_build_failure("interrupted by the user"));
    EXPECT_FALSE(parse_build_failure("build of '/nix/store/a.drv^out', '/nix/store/b.drv^out' failed"));
    EXPECT_FALSE(parse_build_failure("Cannot build '"));
    EXPECT_FALSE(parse_build_failure("builder for 'not-a-drv' failed"));
}

}  // namespace
}  // namespace nod
