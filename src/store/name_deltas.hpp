// The per-name totals not yet folded into name_totals (schema 3). Upserting name_totals on every batch
// cost more than inserting the rows themselves (a batch touches thousands of (kind, name) groups at random
// places in the table; docs/performance.md has the figures). So a batch appends one blob with its per-name sums to
// name_pending instead (one sequential insert, in the batch's transaction), and the writer folds the
// pending blobs into name_totals once they hold enough rows, when a few tens of thousands of upserts
// cover hundreds of thousands of rows. The per-name truth is name_totals plus every pending blob; readers
// merge both.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "store/database.hpp"
#include "store/totals.hpp"

namespace nod::store {

// The totals point into the blob: valid during the visit.
using NameDeltaVisitor = std::function<void(int kind, std::int64_t name_id, const EncodedTotals& totals)>;

// Blob formats (name_pending.format): 3 as schemas 3 and 4 wrote them, without the CPU figures (a database
// migrated from those may still hold some); 4 adds them at the end of each delta. nod writes 4.
inline constexpr int name_delta_format_3 = 3;
inline constexpr int name_delta_format = 4;

// Appends the encoded form of one group's change to `out` (varints; a blob is a sequence of these), in
// `format` (3 only to make a database as schema 3 left it, in tests).
void encode_name_delta(int kind, std::int64_t name_id, const Totals& totals, std::vector<std::uint8_t>& out,
                       int format = name_delta_format);
// Calls `visit` for each delta of an encoded blob; throws Error(not_a_database) on a malformed one or an
// unknown format.
void decode_name_deltas(std::span<const std::uint8_t> blob, std::int64_t format, const NameDeltaVisitor& visit);
// Decodes the delta at `pos` (< blob.size()) and moves `pos` past it.
void decode_name_delta(std::span<const std::uint8_t> blob, std::int64_t format, std::size_t& pos, int& kind,
                       std::int64_t& name_id, EncodedTotals& totals);
// Throws Error(not_a_database) unless nod reads blobs of `format`.
void check_name_delta_format(std::int64_t format);

// Every pending delta in the database, oldest batch first.
void for_each_pending_name_delta(const Database& db, const NameDeltaVisitor& visit);

}  // namespace nod::store
