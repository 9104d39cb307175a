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
    count_ += totals.count;
    failed_ += totals.failed;
    cancelled_ += totals.cancelled;
    unknown_ += totals.unknown_duration;
    total_us_ += totals.total_us;
    if (totals.max_us) max_us_ = std::max(max_us_, *totals.max_us);
    bytes_ += totals.bytes;
    download_ += totals.download_bytes;
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
                                     std::uint64_t download_bytes) {
    ++count_;
    if (outcome == Outcome::failed) ++failed_;
    if (outcome == Outcome::cancelled) ++cancelled_;
    bytes_ += bytes;
    download_ += download_bytes;
    if (!duration) {
        ++unknown_;
        return;
    }
    total_us_ += *duration;
    max_us_ = std::max(max_us_, *duration);
    own_histogram().add_duration(*duration);
}

template <typename Histogram>
void Accumulator<Histogram>::merge(const Accumulator& other) {
    count_ += other.count_;
    failed_ += other.failed_;
    cancelled_ += other.cancelled_;
    unknown_ += other.unknown_;
    total_us_ += other.total_us_;
    max_us_ = std::max(max_us_, other.max_us_);
    bytes_ += other.bytes_;
    download_ += other.download_;
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
    figures.count = count_;
    figures.failed = failed_;
    figures.cancelled = cancelled_;
    figures.unknown_duration = unknown_;
    figures.bytes = bytes_;
    figures.download_bytes = download_;
    std::uint64_t timed = count_ - unknown_;
    if (timed == 0) return figures;
    auto max = static_cast<double>(max_us_);
    figures.total_seconds = static_cast<double>(total_us_) / micros_per_second;
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
