// Log-scale duration histograms: what lets summary queries give percentiles while reading one small
// aggregate per day instead of every row.
//
// Bucket 0 holds durations <= 0 µs; bucket k >= 1 holds [1.05^(k-1), 1.05^k) µs. A percentile is reported
// as the geometric middle of its bucket, so it is within a factor sqrt(1.05) of the exact nearest-rank
// value: at most 2.47 % too high or too low (percentile_error_bound), and never above the group's max. The
// top rank (every percentile of a single duration, p90 of up to nine) is the group's max, which is exact.
#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "reader/row.hpp"

namespace nod::store {

inline constexpr double histogram_base = 1.05;
inline constexpr double percentile_error_bound = 0.0247;  // sqrt(1.05) - 1, rounded up
inline constexpr int histogram_buckets = 900;             // covers every positive int64 µs value

int histogram_bucket(Micros duration);
// The value reported for a bucket: its geometric middle (0 for bucket 0).
double histogram_bucket_value(int bucket);

// A sparse histogram (sorted bucket, count pairs): small for the many per-name groups.
class Histogram {
public:
    void add(Micros duration, std::uint64_t count = 1);
    void add_bucket(int bucket, std::uint64_t count);
    void merge(const Histogram& other);
    // Removes counts that were added before; returns false (and changes nothing) if `other` is not contained.
    bool subtract(const Histogram& other);

    std::uint64_t total() const;
    bool empty() const { return buckets_.empty(); }
    // Nearest-rank percentile (p in (0, 1]) in µs, clamped to `max`; 0 when empty.
    double percentile(double p, double max) const;
    const std::vector<std::pair<std::uint16_t, std::uint64_t>>& buckets() const { return buckets_; }

    // Compact form stored in the database: varint (bucket delta, count) pairs.
    std::vector<std::uint8_t> encode() const;
    void encode_to(std::vector<std::uint8_t>& out) const;  // appends
    void clear() noexcept { buckets_.clear(); }            // keeps the capacity
    // Throws store::Error(not_a_database) on a malformed blob.
    static Histogram decode(std::span<const std::uint8_t> blob);

    bool operator==(const Histogram&) const = default;

private:
    std::vector<std::pair<std::uint16_t, std::uint64_t>> buckets_;
};

// Merges two encoded histograms into `out` (replacing its content) without decoding them: the writer's
// upserts call this once per aggregate row. Throws store::Error on a malformed blob.
void merge_encoded(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b,
                   std::vector<std::uint8_t>& out);

// The p50 and p90 of an encoded histogram, read in place (no decoding into a vector): for groups that consist
// of a single aggregate row. Same results as Histogram::decode(blob).percentile(0.5 / 0.9, max).
std::pair<double, double> encoded_p50_p90(std::span<const std::uint8_t> blob, double max);

// A dense accumulator for queries that merge many encoded histograms.
class DenseHistogram {
public:
    DenseHistogram() : counts_(histogram_buckets, 0) {}
    void add_encoded(std::span<const std::uint8_t> blob);
    void add(const Histogram& histogram);
    void add(Micros duration);
    void merge(const DenseHistogram& other);
    std::uint64_t total() const { return total_; }
    // Nearest-rank percentile (p in (0, 1]) in µs, clamped to `max`; 0 when empty.
    double percentile(double p, double max) const;

private:
    std::vector<std::uint64_t> counts_;
    std::uint64_t total_ = 0;
};

}  // namespace nod::store
