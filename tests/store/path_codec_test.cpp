#include "store/path_codec.hpp"

#include <gtest/gtest.h>

namespace nod::store {
namespace {

TEST(PathCodec, StandardPathsPackInto21Bytes) {
    std::string hash = "0c3b5pl2s0mv7q9gy5kwa2r0z9m2iwl1";
    for (std::string suffix : {"", ".drv"}) {
        std::string path = "/nix/store/" + hash + "-hello-2.12.1" + suffix;
        auto blob = encode_store_path(path, "hello-2.12.1");
        ASSERT_TRUE(blob);
        EXPECT_EQ(decode_store_path(*blob, "hello-2.12.1"), path);
    }
    std::string all_digits = "0123456789abcdfghijklmnpqrsvwxyz";
    auto blob = encode_store_path("/nix/store/" + all_digits + "-x", "x");
    ASSERT_TRUE(blob);
    EXPECT_EQ(decode_store_path(*blob, "x"), "/nix/store/" + all_digits + "-x");
}

TEST(PathCodec, OtherPathsStayText) {
    std::string hash = "0c3b5pl2s0mv7q9gy5kwa2r0z9m2iwl1";
    EXPECT_FALSE(encode_store_path("/gnu/store/" + hash + "-hello", "hello").has_value());
    EXPECT_FALSE(encode_store_path("/nix/store/" + hash + "-hello", "other").has_value());
    EXPECT_FALSE(encode_store_path("/nix/store/" + hash + "-hello.tar", "hello").has_value());
    EXPECT_FALSE(encode_store_path("/nix/store/eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee-hello", "hello").has_value());
    EXPECT_FALSE(encode_store_path("/nix/store/short-hello", "hello").has_value());
    EXPECT_FALSE(encode_store_path("", "").has_value());
}

}  // namespace
}  // namespace nod::store
