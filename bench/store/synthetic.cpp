#include "synthetic.hpp"

#include <cmath>

namespace nod::bench {

namespace {

constexpr Micros day_micros = 86'400'000'000LL;
const char* const prefixes[] = {"", "", "", "", "python3.12-", "perl5.38-", "haskell-", "rust-", "go-", "lib"};
const char* const stems[] = {"foo", "bar", "gtk", "qt", "ssl", "zlib", "boost", "llvm", "git", "curl",
                             "xorg", "mesa", "nix", "glibc", "gcc", "cmake", "ninja", "sqlite", "pcre", "icu"};

std::string make_name(std::size_t i) {
    std::string name = prefixes[i % std::size(prefixes)];
    name += stems[(i / 10) % std::size(stems)];
    name += "-" + std::to_string(i / 200) + "." + std::to_string(i % 10) + "." + std::to_string((i / 7) % 5);
    return name;
}

std::vector<double> zipf_weights(std::size_t n) {
    std::vector<double> weights(n);
    for (std::size_t k = 0; k < n; ++k) weights[k] = 1.0 / std::pow(static_cast<double>(k + 1), 0.8);
    return weights;
}

std::string random_hash(std::mt19937_64& random) {
    static constexpr char digits[] = "0123456789abcdfghijklmnpqrsvwxyz";
    std::string hash(32, '0');
    for (char& c : hash) c = digits[random() % 32];
    return hash;
}

}  // namespace

SyntheticRows::SyntheticRows(const SyntheticOptions& options)
    : options_(options), random_(options.seed), pick_name_() {
    std::vector<double> weights = zipf_weights(options.names);
    pick_name_ = std::discrete_distribution<std::size_t>(weights.begin(), weights.end());
    std::lognormal_distribution<double> typical(1.0, 1.8);  // median e^1 ≈ 2.7 s, long tail to hours
    for (std::size_t i = 0; i < options.names; ++i) {
        names_.push_back(make_name(i));
        typical_seconds_.push_back(typical(random_));
    }
    first_ = options.end - options.days * day_micros;
    step_ = std::max<Micros>(1, options.days * day_micros / static_cast<Micros>(std::max<std::uint64_t>(options.rows, 1)));
}

std::vector<Row> SyntheticRows::next(std::size_t count) {
    std::vector<Row> rows;
    rows.reserve(count);
    while (rows.size() < count && produced_ < options_.rows) rows.push_back(make(produced_++));
    return rows;
}

Row SyntheticRows::make(std::uint64_t index) {
    Row row;
    std::size_t name = pick_name_(random_);
    auto roll = random_() % 100;
    row.kind = roll < 55 ? Kind::substitute : roll < 88 ? Kind::build : roll < 98 ? Kind::copy : Kind::post_build_hook;
    row.name = names_[name];
    row.path = "/nix/store/" + random_hash(random_) + "-" + row.name + (row.kind == Kind::build ? ".drv" : "");
    row.start = first_ + static_cast<Micros>(index) * step_;
    std::lognormal_distribution<double> spread(0.0, 0.3);
    double seconds = typical_seconds_[name] * spread(random_) * (row.kind == Kind::build ? 10.0 : 1.0);
    auto outcome = random_() % 100;
    row.outcome = outcome < 3 ? Outcome::failed : outcome < 4 ? Outcome::cancelled : Outcome::succeeded;
    if (outcome != 99) row.duration = static_cast<Micros>(seconds * 1e6);
    if (row.kind == Kind::substitute || row.kind == Kind::copy) {
        row.bytes = static_cast<std::uint64_t>(seconds * 20e6);
        row.download_bytes = row.bytes / 3;
    }
    if (random_() % 10 == 0) row.machine = "ssh-ng://builder" + std::to_string(random_() % 4);
    row.uid = random_() % 4 == 0 ? 0 : 1000;
    row.pid = static_cast<std::int32_t>(1000 + random_() % 30000);
    row.activity_id = (static_cast<std::uint64_t>(row.pid) << 32) | (index & 0xffffffffU);
    return row;
}

}  // namespace nod::bench
