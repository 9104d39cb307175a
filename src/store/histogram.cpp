#include "store/histogram.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "store/error.hpp"
#include "store/varint.hpp"

namespace nod::store {

namespace {

const double log_base = std::log(histogram_base);

constexpr const char* histogram_what = "duration histogram";

// Calls f(bucket, count) for each pair of an encoded histogram.
template <typename F>
void for_each_encoded(std::span<const std::uint8_t> blob, F f) {
    std::size_t pos = 0;
    std::uint64_t bucket = 0;
    bool first = true;
    while (pos < blob.size()) {
        std::uint64_t delta = get_varint(blob, pos, histogram_what);
        std::uint64_t count = get_varint(blob, pos, histogram_what);
        bucket = first ? delta : bucket + delta;
        first = false;
        if (bucket >= static_cast<std::uint64_t>(histogram_buckets))
            throw Error(ErrorCode::not_a_database, "malformed duration histogram in database");
        f(static_cast<int>(bucket), count);
    }
}

// Reads an encoded histogram pair by pair.
class EncodedReader {
public:
    explicit EncodedReader(std::span<const std::uint8_t> blob) : blob_(blob) { advance(); }
    bool done() const { return done_; }
    std::uint64_t bucket() const { return bucket_; }
    std::uint64_t count() const { return count_; }
    void advance() {
        if (pos_ >= blob_.size()) {
            done_ = true;
            return;
        }
        bucket_ += get_varint(blob_, pos_, histogram_what);
        count_ = get_varint(blob_, pos_, histogram_what);
        if (bucket_ >= static_cast<std::uint64_t>(histogram_buckets))
            throw Error(ErrorCode::not_a_database, "malformed duration histogram in database");
    }

private:
    std::span<const std::uint8_t> blob_;
    std::size_t pos_ = 0;
    std::uint64_t bucket_ = 0, count_ = 0;
    bool done_ = false;
};

// The nearest-rank percentile (rank ⌈p·n⌉ of n), found by offering the running count after each bucket in
// bucket order. The top rank is the group's max itself, known exactly, so it needs no bucket.
class RankedValue {
public:
    RankedValue(double p, std::uint64_t count, double max)
        : rank_(std::clamp<std::uint64_t>(
              static_cast<std::uint64_t>(std::ceil(p * static_cast<double>(count))), 1, count)),
          max_(max),
          value_(max),
          found_(rank_ == count) {}

    // Returns true once the rank is found.
    bool offer(int bucket, std::uint64_t seen) {
        if (!found_ && seen >= rank_) {
            value_ = std::min(histogram_bucket_value(bucket), max_);
            found_ = true;
        }
        return found_;
    }
    double value() const { return value_; }

private:
    std::uint64_t rank_;
    double max_;
    double value_;
    bool found_;
};

}  // namespace

void merge_encoded(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b,
                   std::vector<std::uint8_t>& out) {
    out.clear();
    EncodedReader x(a), y(b);
    std::uint64_t previous = 0;
    auto emit = [&](std::uint64_t bucket, std::uint64_t count) {
        put_varint(out, bucket - previous);
        put_varint(out, count);
        previous = bucket;
    };
    while (!x.done() || !y.done()) {
        if (y.done() || (!x.done() && x.bucket() < y.bucket())) {
            emit(x.bucket(), x.count());
            x.advance();
        } else if (x.done() || y.bucket() < x.bucket()) {
            emit(y.bucket(), y.count());
            y.advance();
        } else {
            emit(x.bucket(), x.count() + y.count());
            x.advance();
            y.advance();
        }
    }
}

int histogram_bucket(Micros duration) {
    if (duration <= 0) return 0;
    int bucket = 1 + static_cast<int>(std::floor(std::log(static_cast<double>(duration)) / log_base));
    return std::clamp(bucket, 1, histogram_buckets - 1);
}

double histogram_bucket_value(int bucket) {
    if (bucket <= 0) return 0;
    return std::exp((bucket - 0.5) * log_base);
}

void Histogram::add(Micros duration, std::uint64_t count) { add_bucket(histogram_bucket(duration), count); }

void Histogram::add_bucket(int bucket, std::uint64_t count) {
    auto key = static_cast<std::uint16_t>(bucket);
    auto it = std::lower_bound(buckets_.begin(), buckets_.end(), key,
                               [](const auto& entry, std::uint16_t k) { return entry.first < k; });
    if (it != buckets_.end() && it->first == key)
        it->second += count;
    else
        buckets_.insert(it, {key, count});
}

void Histogram::merge(const Histogram& other) {
    if (other.buckets_.size() <= 2) {  // the common case of a group of one or two rows: insert in place
        for (const auto& [bucket, count] : other.buckets_) add_bucket(bucket, count);
        return;
    }
    std::vector<std::pair<std::uint16_t, std::uint64_t>> merged;
    merged.reserve(buckets_.size() + other.buckets_.size());
    auto a = buckets_.begin();
    auto b = other.buckets_.begin();
    while (a != buckets_.end() || b != other.buckets_.end()) {
        if (b == other.buckets_.end() || (a != buckets_.end() && a->first < b->first)) {
            merged.push_back(*a++);
        } else if (a == buckets_.end() || b->first < a->first) {
            merged.push_back(*b++);
        } else {
            merged.emplace_back(a->first, a->second + b->second);
            ++a;
            ++b;
        }
    }
    buckets_ = std::move(merged);
}

bool Histogram::subtract(const Histogram& other) {
    Histogram result = *this;
    for (const auto& [bucket, count] : other.buckets_) {
        auto it = std::lower_bound(result.buckets_.begin(), result.buckets_.end(), bucket,
                                   [](const auto& entry, std::uint16_t k) { return entry.first < k; });
        if (it == result.buckets_.end() || it->first != bucket || it->second < count) return false;
        it->second -= count;
        if (it->second == 0) result.buckets_.erase(it);
    }
    *this = std::move(result);
    return true;
}

std::uint64_t Histogram::total() const {
    std::uint64_t sum = 0;
    for (const auto& entry : buckets_) sum += entry.second;
    return sum;
}

double Histogram::percentile(double p, double max) const {
    std::uint64_t count = total();  // a sum over a few hundred buckets at most
    if (count == 0) return 0;
    RankedValue ranked(p, count, max);
    std::uint64_t seen = 0;
    for (const auto& [bucket, n] : buckets_) {
        if (ranked.offer(bucket, seen += n)) break;
    }
    return ranked.value();
}

std::pair<double, double> encoded_p50_p90(std::span<const std::uint8_t> blob, double max) {
    std::uint64_t count = 0;
    for_each_encoded(blob, [&](int, std::uint64_t n) { count += n; });
    if (count == 0) return {0, 0};
    RankedValue p50(0.5, count, max), p90(0.9, count, max);
    std::uint64_t seen = 0;
    for_each_encoded(blob, [&](int bucket, std::uint64_t n) {
        seen += n;
        p50.offer(bucket, seen);
        p90.offer(bucket, seen);
    });
    return {p50.value(), p90.value()};
}

std::vector<std::uint8_t> Histogram::encode() const {
    std::vector<std::uint8_t> out;
    out.reserve(buckets_.size() * 3);
    encode_to(out);
    return out;
}

void Histogram::encode_to(std::vector<std::uint8_t>& out) const {
    std::uint16_t previous = 0;
    for (const auto& [bucket, count] : buckets_) {
        put_varint(out, static_cast<std::uint64_t>(bucket - previous));
        put_varint(out, count);
        previous = bucket;
    }
}

Histogram Histogram::decode(std::span<const std::uint8_t> blob) {
    Histogram histogram;
    histogram.buckets_.reserve(blob.size() / 2);  // at least two bytes per pair
    for_each_encoded(blob, [&](int bucket, std::uint64_t count) {
        histogram.buckets_.emplace_back(static_cast<std::uint16_t>(bucket), count);
    });
    return histogram;
}

void DenseHistogram::add_encoded(std::span<const std::uint8_t> blob) {
    for_each_encoded(blob, [&](int bucket, std::uint64_t count) {
        counts_[static_cast<std::size_t>(bucket)] += count;
        total_ += count;
    });
}

void DenseHistogram::add(const Histogram& histogram) {
    for (const auto& [bucket, count] : histogram.buckets()) {
        counts_[bucket] += count;
        total_ += count;
    }
}

void DenseHistogram::add(Micros duration) {
    ++counts_[static_cast<std::size_t>(histogram_bucket(duration))];
    ++total_;
}

void DenseHistogram::merge(const DenseHistogram& other) {
    for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
    total_ += other.total_;
}

double DenseHistogram::percentile(double p, double max) const {
    if (total_ == 0) return 0;
    RankedValue ranked(p, total_, max);
    std::uint64_t seen = 0;
    for (std::size_t bucket = 0; bucket < counts_.size(); ++bucket) {
        if (ranked.offer(static_cast<int>(bucket), seen += counts_[bucket])) break;
    }
    return ranked.value();
}

}  // namespace nod::store
