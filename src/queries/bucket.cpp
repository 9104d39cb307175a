#include "queries/bucket.hpp"

#include <array>

#include "queries/name_pieces.hpp"
#include "queries/names.hpp"
#include "store/totals.hpp"

namespace nod::queries {

namespace {

using KindAccumulators = std::array<SparseAccumulator, kind_count>;

store::Day next_bucket_start(store::Day day, BucketUnit unit) {
    switch (unit) {
        case BucketUnit::day: return day + 1;
        case BucketUnit::week: return store::iso_week_start(day) + 7;
        case BucketUnit::month: return store::add_months(store::month_start(day), 1);
    }
    return day + 1;
}

std::string label_of(store::Day day, BucketUnit unit) {
    switch (unit) {
        case BucketUnit::day: return store::day_label(day);
        case BucketUnit::week: return store::iso_week_label(day);
        case BucketUnit::month: return store::month_label(day);
    }
    return {};
}

const char* unit_name(BucketUnit unit) {
    switch (unit) {
        case BucketUnit::day: return "day";
        case BucketUnit::week: return "week";
        case BucketUnit::month: return "month";
    }
    return "";
}

// The buckets a window makes, without making them.
std::size_t bucket_count(DayRange days, BucketUnit unit) {
    std::int64_t span = std::int64_t{days.last} - days.first + 1;
    switch (unit) {
        case BucketUnit::day: return static_cast<std::size_t>(span);
        case BucketUnit::week: return static_cast<std::size_t>(span / 7 + 2);
        case BucketUnit::month: return static_cast<std::size_t>(span / 28 + 2);
    }
    return static_cast<std::size_t>(span);
}

// The empty buckets of the window, and for each day of it the index of its bucket.
std::vector<Bucket> make_buckets(DayRange days, BucketUnit unit, std::vector<std::size_t>& bucket_of_day) {
    if (std::size_t n = bucket_count(days, unit); n > max_buckets) {
        throw TooLarge("Bucket " + std::string(unit_name(unit)) + " over " +
                       std::to_string(std::int64_t{days.last} - days.first + 1) + " days gives about " +
                       std::to_string(n) + " buckets, more than the " + std::to_string(max_buckets) +
                       " of one answer: use week or month, or fewer days");
    }
    std::vector<Bucket> buckets;
    bucket_of_day.assign(static_cast<std::size_t>(days.last - days.first + 1), 0);
    for (store::Day start = days.first; start <= days.last;) {
        store::Day end = std::min(next_bucket_start(start, unit) - 1, days.last);
        for (store::Day day = start; day <= end; ++day)
            bucket_of_day[static_cast<std::size_t>(day - days.first)] = buckets.size();
        buckets.push_back({{start, end}, label_of(start, unit), {}});
        start = end + 1;
    }
    return buckets;
}

// Adds the rows of `statement` (columns: kind, day, figures...) to the bucket of their day.
void add_rows(store::sql::Statement& statement, DayRange days, const std::vector<std::size_t>& bucket_of_day,
              std::vector<KindAccumulators>& totals) {
    while (statement.step()) {
        auto kind = statement.column_int(0);
        auto day = static_cast<store::Day>(statement.column_int(1));
        if (kind < 0 || kind >= kind_count || day < days.first || day > days.last) continue;
        auto index = bucket_of_day[static_cast<std::size_t>(day - days.first)];
        totals[index][static_cast<std::size_t>(kind)].add_columns(statement, 2);
    }
    statement.reset();
}

}  // namespace

BucketResult bucket(const store::Database& db, const BucketRequest& request, Micros now) {
    store::sql::Transaction snapshot(db.handle(), db.context(), false);  // every read from one snapshot
    BucketResult result;
    result.days = resolve(db, request.window, now);
    std::vector<std::size_t> bucket_of_day;
    result.buckets = make_buckets(result.days, request.unit, bucket_of_day);
    std::vector<KindAccumulators> totals(result.buckets.size());
    std::string figures = store::figure_columns;
    if (request.name_filter.empty() && !request.filter.any()) {
        auto scan =
            db.prepare("SELECT kind, day, " + figures + " FROM day_totals WHERE day BETWEEN ?1 AND ?2");
        scan.bind(1, std::int64_t{result.days.first}).bind(2, std::int64_t{result.days.last});
        add_rows(scan, result.days, bucket_of_day, totals);
    } else {
        bool by_name = !request.name_filter.empty();
        NameMap names;
        if (by_name) names = matching_names(db, request.name_filter);
        for_each_name_row(db, result.days, by_name ? &names : nullptr, request.filter,
                          [&](store::Day day, int kind, std::int64_t, const NamePiece& piece) {
                              if (kind < 0 || kind >= kind_count) return;
                              auto index = bucket_of_day[static_cast<std::size_t>(day - result.days.first)];
                              piece.add_to(totals[index][static_cast<std::size_t>(kind)]);
                          });
    }
    for (std::size_t i = 0; i < result.buckets.size(); ++i) {
        for (int kind = 0; kind < kind_count; ++kind)
            result.buckets[i].kinds.push_back(
                {static_cast<Kind>(kind), totals[i][static_cast<std::size_t>(kind)].figures()});
    }
    snapshot.commit();
    return result;
}

}  // namespace nod::queries
