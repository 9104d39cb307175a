#include "queries/figures.hpp"

#include <algorithm>
#include <type_traits>

namespace nod::queries {

namespace {

constexpr double micros_per_second = 1e6;

void add_blob(store::Histogram& histogram, std::span<const std::uint8_t> blob) {
    if (histogram.empty())
        histogram = store::Histogram::decode(blob);  // the common case of one aggregate row per group
    else
        histogram.merge(store::Histogram::decode(blob));
}

void add_blob(store::DenseHistogram& histogram, std::span<const std::uint8_t> blob) {
    histogram.add_encoded(blob);
}

}  // namespace

template <typename Histogram>
void Accumulator<Histogram>::add_columns(const store::sql::Statement& statement, int first) {
    add(store::read_encoded_totals(statement, first));
}

template <typename Histogram>
void Accumulator<Histogram>::add(const store::EncodedTotals& totals) {
    counts_.merge(totals);
    if constexpr (std::is_same_v<Histogram, store::Histogram>) {
        if (blobs_++ == 0) {
            single_blob_.assign(totals.histogram.begin(), totals.histogram.end());
            return;
        }
        if (blobs_ == 2) histogram_ = store::Histogram::decode(single_blob_);
    }
    add_blob(histogram_, totals.histogram);
}

template <typename Histogram>
Histogram& Accumulator<Histogram>::own_histogram() {
    if constexpr (std::is_same_v<Histogram, store::Histogram>) {
        if (blobs_ == 1) histogram_ = store::Histogram::decode(single_blob_);
        blobs_ = std::max(blobs_, 2);  // from here on the decoded histogram is the only one
    }
    return histogram_;
}

template <typename Histogram>
void Accumulator<Histogram>::add_row(std::optional<Micros> duration, Outcome outcome, std::uint64_t bytes,
                                     std::uint64_t download_bytes, std::optional<std::uint64_t> cpu_user_us,
                                     std::optional<std::uint64_t> cpu_system_us) {
    counts_.add_cpu(cpu_user_us, cpu_system_us);
    if (counts_.add(duration, outcome, bytes, download_bytes)) own_histogram().add(*duration);
}

template <typename Histogram>
void Accumulator<Histogram>::merge(const Accumulator& other) {
    counts_.merge(other.counts_);
    own_histogram();
    if constexpr (std::is_same_v<Histogram, store::Histogram>) {
        if (other.blobs_ == 1) {
            histogram_.merge(store::Histogram::decode(other.single_blob_));
            return;
        }
    }
    histogram_.merge(other.histogram_);
}

template <typename Histogram>
Figures Accumulator<Histogram>::figures() const {
    Figures figures;
    figures.count = counts_.count;
    figures.failed = counts_.failed;
    figures.cancelled = counts_.cancelled;
    figures.unknown_duration = counts_.unknown_duration;
    figures.bytes = counts_.bytes;
    figures.download_bytes = counts_.download_bytes;
    figures.cpu_rows = counts_.cpu_rows;
    figures.cpu_user_seconds = static_cast<double>(counts_.cpu_user_us) / micros_per_second;
    figures.cpu_system_seconds = static_cast<double>(counts_.cpu_system_us) / micros_per_second;
    std::uint64_t timed = counts_.count - counts_.unknown_duration;
    if (timed == 0) return figures;
    // A group whose durations are all negative (a clock that went back) reports 0, as percentiles do.
    auto max = static_cast<double>(std::max<Micros>(0, counts_.max_us.value_or(0)));
    figures.total_seconds = static_cast<double>(counts_.total_us) / micros_per_second;
    figures.mean_seconds = figures.total_seconds / static_cast<double>(timed);
    std::pair<double, double> p50_p90{histogram_.percentile(0.5, max), histogram_.percentile(0.9, max)};
    if constexpr (std::is_same_v<Histogram, store::Histogram>) {
        if (blobs_ == 1) p50_p90 = store::encoded_p50_p90(single_blob_, max);
    }
    figures.p50_seconds = p50_p90.first / micros_per_second;
    figures.p90_seconds = p50_p90.second / micros_per_second;
    figures.max_seconds = max / micros_per_second;
    return figures;
}

template class Accumulator<store::Histogram>;
template class Accumulator<store::DenseHistogram>;

}  // namespace nod::queries
