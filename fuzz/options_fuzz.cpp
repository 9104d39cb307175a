// libFuzzer target: the a{sv} options of every net.bergsoe.Nod1 method, as the D-Bus layer decodes
// them (key, then a value of type u, s, b or anything else). Parsing must accept or reject with
// InvalidOptions; any other exception or crash is a bug (in the daemon it would abort the process).
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "collector/options.hpp"

namespace {

nod::api::OptionMap options_from(FuzzedDataProvider& input) {
    static const char* keys[] = {"days", "months", "drv", "kind", "group", "sort", "limit", "before_days"};
    nod::api::OptionMap map;
    for (int i = 0, n = input.ConsumeIntegralInRange(0, 8); i < n; ++i) {
        std::string key = input.ConsumeBool() ? keys[input.ConsumeIntegralInRange(0, 7)]
                                              : input.ConsumeRandomLengthString(16);
        switch (input.ConsumeIntegralInRange(0, 3)) {
        case 0: map[key] = input.ConsumeIntegral<std::uint32_t>(); break;
        case 1: map[key] = input.ConsumeRandomLengthString(64); break;
        case 2: map[key] = input.ConsumeBool(); break;
        default: map[key] = nod::api::OtherType{input.ConsumeRandomLengthString(8)}; break;
        }
    }
    return map;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider input(data, size);
    int method = input.ConsumeIntegralInRange(0, 3);
    std::string unit = input.ConsumeRandomLengthString(8);
    auto map = options_from(input);
    try {
        switch (method) {
        case 0: nod::api::parse_stats(map); break;
        case 1: nod::api::parse_bucket(unit, map); break;
        case 2: nod::api::parse_test(map); break;
        default: nod::api::parse_clean(map); break;
        }
    } catch (const nod::api::InvalidOptions&) {
        // the one way to say no
    }
    return 0;
}
