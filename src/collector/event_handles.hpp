// Owning handles for sd-event objects. A source keeps its loop alive (sd-event refcounts it), but must
// still be disabled before its handler's object goes: declare sources after what their handlers use.
#pragma once

#include <systemd/sd-event.h>

#include <memory>

namespace nod::collector {

struct EventUnref {
    void operator()(sd_event* event) const noexcept { sd_event_unref(event); }
};
using EventPtr = std::unique_ptr<sd_event, EventUnref>;

struct SourceDisableUnref {
    void operator()(sd_event_source* source) const noexcept { sd_event_source_disable_unref(source); }
};
using SourcePtr = std::unique_ptr<sd_event_source, SourceDisableUnref>;

}  // namespace nod::collector
