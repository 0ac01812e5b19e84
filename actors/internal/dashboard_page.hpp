#pragma once

#include <string_view>

namespace faust::internal {

/// The worker's live dashboard (`/dashboard`): one self-contained HTML page
/// (its style and script inline, no other asset) that reads the monitor
/// (`/`) and the assignment (`/assignment/`) every second and shows the
/// app, the worker, its state, events and messages per second, a lag table
/// per assigned partition (rows carry `data-topic`, `data-partition` and
/// `data-lag`; paused ones are flagged), the active and standby partitions,
/// recovery progress bars with the time left, the tables' key counts and
/// store sizes, and the log's last errors. The body gets `data-ready="1"`
/// once the first monitor answer is shown. Data is written as text, never
/// as markup.
std::string_view dashboard_page();

} // namespace faust::internal
