// --journal DIR and --journal-sync: record every dispatched event of a run.
#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "tradebus/persistence/event_journal.hpp"

namespace tradebus::cli {

struct JournalFlags {
  std::string dir;
  std::string sync = "batch";

  void add_to(CLI::App* cmd) {
    cmd->add_option("--journal", dir, "append every event to a journal in this directory");
    cmd->add_option("--journal-sync", sync,
                    "none | batch (fdatasync every 100 ms, default) | every (each record)")
        ->check(CLI::IsMember({"none", "batch", "every"}));
  }
  /// Null without --journal; throws JournalError when the directory cannot be used.
  std::unique_ptr<JournalRecorder> make() const {
    if (dir.empty()) return nullptr;
    JournalOptions o;
    o.dir = dir;
    o.sync = sync == "none"    ? JournalSync::none
             : sync == "every" ? JournalSync::every_record
                               : JournalSync::batch;
    return std::make_unique<JournalRecorder>(o);
  }
};

}  // namespace tradebus::cli
