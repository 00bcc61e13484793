// Every cell of ipvsadm's command x option table (ipvsadm.md §1.5), run through vipadm as an
// operator types it: each illegal option with each command, each required option left out,
// each pair of -L's exclusive options and every "options conflicts in the list command" pair,
// with ipvsadm's message and exit status and nothing sent to vipd. The table below is the
// reference's, copied row by row, not the parser's own (ipvsadm/Options.cpp): a cell that
// differs between the two fails here.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "tests/unit/ipvsadm/FakeNames.h"
#include "tools/vipadm/Session.h"

namespace vipd::vipadm::test {
namespace {

// ipvsadm.md §1.5, '·' written '.'. Columns: -A -E -D -C -L -a -e -d -Z --set --start-daemon
// --stop-daemon -R -S.
const char* const kReferenceTable = R"(
| `-n` | x | x | x | x | . | x | x | x | x | x | x | x | x | . |
| `-c` | x | x | x | x | 1 | x | x | x | x | x | x | x | x | x |
| `svc` | + | + | + | x | 1 | + | + | + | . | x | x | x | x | x |
| `-s` | . | . | x | x | x | x | x | x | x | x | x | x | x | x |
| `-p` | . | . | x | x | x | x | x | x | x | x | x | x | x | x |
| `-M` | . | . | x | x | x | x | x | x | x | x | x | x | x | x |
| `-r` | x | x | x | x | x | + | + | + | x | x | x | x | x | x |
| `fwd(-g/-i/-m)` | x | x | x | x | x | . | . | x | x | x | x | x | x | x |
| `-w` | x | x | x | x | x | . | . | x | x | x | x | x | x | x |
| `-x` | x | x | x | x | x | . | . | x | x | x | x | x | x | x |
| `-y` | x | x | x | x | x | . | . | x | x | x | x | x | x | x |
| `--mcast-interface` | x | x | x | x | x | x | x | x | x | x | . | x | x | x |
| `--timeout` | x | x | x | x | 1 | x | x | x | x | x | x | x | x | x |
| `--daemon` | x | x | x | x | 1 | x | x | x | x | x | x | x | x | x |
| `--stats` | x | x | x | x | . | x | x | x | x | x | x | x | x | x |
| `--rate` | x | x | x | x | . | x | x | x | x | x | x | x | x | x |
| `--thresholds` | x | x | x | x | . | x | x | x | x | x | x | x | x | x |
| `--persistent-conn` | x | x | x | x | . | x | x | x | x | x | x | x | x | x |
| `--nosort` | x | x | x | x | . | x | x | x | x | x | x | x | x | x |
| `--syncid` | x | x | x | x | . | x | x | x | x | x | . | . | x | x |
| `--exact` | x | x | x | x | . | x | x | x | x | x | x | x | x | x |
| `-o/--ops` | . | . | x | x | x | x | x | x | x | x | x | x | x | x |
| `--pe` | . | . | x | x | x | x | x | x | x | x | x | x | x | x |
| `-b` | . | . | x | x | x | x | x | x | x | x | x | x | x | x |
| `--mcast-group` | x | x | x | x | x | x | x | x | x | x | . | x | x | x |
| `--mcast-port` | x | x | x | x | x | x | x | x | x | x | . | x | x | x |
| `--mcast-ttl` | x | x | x | x | x | x | x | x | x | x | . | x | x | x |
| `--sync-maxlen` | x | x | x | x | x | x | x | x | x | x | . | x | x | x |
| `--tun-info` | x | x | x | x | . | x | x | x | x | x | x | x | x | x |
| `--tun-type` | x | x | x | x | x | . | . | x | x | x | x | x | x | x |
| `--tun-port` | x | x | x | x | x | . | . | x | x | x | x | x | x | x |
| `--tun-nocsum` | x | x | x | x | x | . | . | x | x | x | x | x | x | x |
| `--tun-csum` | x | x | x | x | x | . | . | x | x | x | x | x | x | x |
| `--tun-remcsum` | x | x | x | x | x | . | . | x | x | x | x | x | x | x |
)";

struct Command {
  std::string name;               // internal name, as in the messages
  std::vector<std::string> base;  // a valid line without any optional option
};

const std::vector<Command> kCommands{
    {"add-service", {"-A", "-t", "10.0.0.1:80"}},
    {"edit-service", {"-E", "-t", "10.0.0.1:80"}},
    {"delete-service", {"-D", "-t", "10.0.0.1:80"}},
    {"flush", {"-C"}},
    {"list", {"-L"}},
    {"add-server", {"-a", "-t", "10.0.0.1:80", "-r", "192.168.10.1"}},
    {"edit-server", {"-e", "-t", "10.0.0.1:80", "-r", "192.168.10.1"}},
    {"delete-server", {"-d", "-t", "10.0.0.1:80", "-r", "192.168.10.1"}},
    {"zero", {"-Z"}},
    {"set", {"--set", "900", "120", "300"}},
    {"start-daemon", {"--start-daemon", "master"}},
    {"stop-daemon", {"--stop-daemon", "master"}},
    {"restore", {"-R"}},
    {"save", {"-S"}},
};

struct Option {
  std::string row;   // the reference's row name
  std::string name;  // ipvsadm's internal name (ipvsadm.md §1.3)
  std::vector<std::string> words;
};

// Each row with its internal name and a valid use of it.
const std::vector<Option> kOptions{
    {"`-n`", "numeric", {"-n"}},
    {"`-c`", "connection", {"-c"}},
    {"`svc`", "service-address", {"-t", "10.0.0.2:80"}},
    {"`-s`", "scheduler", {"-s", "rr"}},
    {"`-p`", "persistent", {"-p", "300"}},
    {"`-M`", "netmask", {"-M", "255.255.255.0"}},
    {"`-r`", "real-server", {"-r", "192.168.10.2"}},
    {"`fwd(-g/-i/-m)`", "forwarding-method", {"-m"}},
    {"`-w`", "weight", {"-w", "2"}},
    {"`-x`", "u-threshold", {"-x", "10"}},
    {"`-y`", "l-threshold", {"-y", "5"}},
    {"`--mcast-interface`", "mcast-interface", {"--mcast-interface", "eth1"}},
    {"`--timeout`", "timeout", {"--timeout"}},
    {"`--daemon`", "daemon", {"--daemon"}},
    {"`--stats`", "stats", {"--stats"}},
    {"`--rate`", "rate", {"--rate"}},
    {"`--thresholds`", "thresholds", {"--thresholds"}},
    {"`--persistent-conn`", "persistent-conn", {"--persistent-conn"}},
    {"`--nosort`", "nosort", {"--nosort"}},
    {"`--syncid`", "syncid", {"--syncid", "3"}},
    {"`--exact`", "exact", {"--exact"}},
    {"`-o/--ops`", "ops", {"-o"}},
    {"`--pe`", "pe", {"--pe", "sip"}},
    {"`-b`", "sched-flags", {"-b", "flag-1"}},
    {"`--mcast-group`", "mcast-group", {"--mcast-group", "224.0.0.81"}},
    {"`--mcast-port`", "mcast-port", {"--mcast-port", "8848"}},
    {"`--mcast-ttl`", "mcast-ttl", {"--mcast-ttl", "1"}},
    {"`--sync-maxlen`", "sync-maxlen", {"--sync-maxlen", "1472"}},
    {"`--tun-info`", "tun-info", {"--tun-info"}},
    {"`--tun-type`", "tun-type", {"--tun-type", "ipip"}},
    {"`--tun-port`", "tun-port", {"--tun-port", "6080"}},
    {"`--tun-nocsum`", "tun-nocsum", {"--tun-nocsum"}},
    {"`--tun-csum`", "tun-csum", {"--tun-csum"}},
    {"`--tun-remcsum`", "tun-remcsum", {"--tun-remcsum"}},
};

// The reference table as cells[row][command].
std::vector<std::vector<char>> referenceCells() {
  std::vector<std::vector<char>> cells;
  std::istringstream lines(kReferenceTable);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    std::istringstream fields(line);
    std::vector<char> row;
    std::string field, rowName;
    while (fields >> field)
      if (field != "|" && rowName.empty())
        rowName = field;
      else if (field != "|")
        row.push_back(field[0]);
    EXPECT_EQ(rowName, kOptions[cells.size()].row);
    EXPECT_EQ(row.size(), kCommands.size()) << rowName;
    cells.push_back(row);
  }
  EXPECT_EQ(cells.size(), kOptions.size());
  return cells;
}

struct Outcome {
  int status;
  std::string err;
  std::size_t requests;
};

Outcome run(std::vector<std::string> args) {
  static const ipvsadm::test::FakeNames names;
  args.insert(args.begin(), "vipadm");
  std::istringstream in;
  std::ostringstream out, err;
  SessionIo io{in, out, err};
  std::size_t requests = 0;
  Connector connector = [&requests](const std::string&, const admin::Request&) {
    ++requests;
    return Result<admin::Response>(admin::Response{});
  };
  const int status = runVipadm(args, "/run/test.sock", connector, names, io);
  return Outcome{status, err.str(), requests};
}

std::vector<std::string> with(std::vector<std::string> words,
                              const std::vector<std::string>& more) {
  words.insert(words.end(), more.begin(), more.end());
  return words;
}

std::string line(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

void expectRefused(const std::vector<std::string>& words, const std::string& message) {
  const Outcome o = run(words);
  EXPECT_EQ(o.err, message + "\n") << line(words);
  EXPECT_EQ(o.status, 2) << line(words);
  EXPECT_EQ(o.requests, 0u) << line(words);
}

TEST(VipadmLegality, EveryIllegalOptionWithEveryCommand) {
  const auto cells = referenceCells();
  int checked = 0;
  for (std::size_t o = 0; o < kOptions.size(); ++o)
    for (std::size_t c = 0; c < kCommands.size(); ++c) {
      if (cells[o][c] != 'x') continue;
      expectRefused(
          with(kCommands[c].base, kOptions[o].words),
          "Illegal '" + kOptions[o].name + "' option with the '" + kCommands[c].name + "' command");
      ++checked;
    }
  EXPECT_EQ(checked, 415);  // the table's x cells
}

// A '+' option left out: the base line without that option's words.
TEST(VipadmLegality, EveryRequiredOptionLeftOut) {
  const auto cells = referenceCells();
  int checked = 0;
  for (std::size_t o = 0; o < kOptions.size(); ++o)
    for (std::size_t c = 0; c < kCommands.size(); ++c) {
      if (cells[o][c] != '+') continue;
      std::vector<std::string> words = kCommands[c].base;
      const std::string flag = o == 2 ? "-t" : "-r";  // the two required rows: svc and -r
      ASSERT_TRUE(o == 2 || o == 6) << kOptions[o].row;
      for (std::size_t i = 0; i + 1 < words.size(); ++i)
        if (words[i] == flag)
          words.erase(words.begin() + static_cast<long>(i),
                      words.begin() + static_cast<long>(i) + 2);
      expectRefused(words, "You need to supply the '" + kOptions[o].name + "' option for the '" +
                               kCommands[c].name + "' command");
      ++checked;
    }
  EXPECT_EQ(checked, 9);
}

// Two of -L's '1' options: the one later in the table conflicts with the earlier one.
TEST(VipadmLegality, ListExclusiveOptionsPairwise) {
  const auto cells = referenceCells();
  const std::size_t list = 4;
  std::vector<std::size_t> ones;
  for (std::size_t o = 0; o < kOptions.size(); ++o)
    if (cells[o][list] == '1') ones.push_back(o);
  ASSERT_EQ(ones.size(), 4u);
  for (std::size_t i = 0; i < ones.size(); ++i)
    for (std::size_t j = 0; j < ones.size(); ++j) {
      if (i == j) continue;
      const Option& a = kOptions[ones[i]];
      const Option& b = kOptions[ones[j]];
      const Option& later = ones[i] > ones[j] ? a : b;
      const Option& earlier = ones[i] > ones[j] ? b : a;
      expectRefused(with(with({"-L"}, a.words), b.words),
                    "The option '" + later.name + "' conflicts with the '" + earlier.name +
                        "' option in the 'list' command");
    }
}

// ipvsadm.md §1.5's extra rule for -L.
TEST(VipadmLegality, ListOptionClashes) {
  const std::vector<std::vector<std::string>> special{{"-c"}, {"--timeout"}, {"--daemon"}};
  for (const auto& s : special)
    for (const char* numbers : {"--stats", "--rate", "--thresholds"})
      expectRefused(with(with({"-L"}, s), {numbers}), "options conflicts in the list command");
  for (const char* s : {"--timeout", "--daemon"})
    expectRefused({"-L", s, "--persistent-conn"}, "options conflicts in the list command");
}

// The '.' cells: the table lets the option through (what follows is other rules' business).
TEST(VipadmLegality, OptionalCellsPassTheTable) {
  const auto cells = referenceCells();
  for (std::size_t o = 0; o < kOptions.size(); ++o)
    for (std::size_t c = 0; c < kCommands.size(); ++c) {
      if (cells[o][c] != '.' && cells[o][c] != '1') continue;
      const auto words = with(kCommands[c].base, kOptions[o].words);
      const Outcome r = run(words);
      EXPECT_EQ(r.err.find("Illegal '"), std::string::npos) << line(words) << ": " << r.err;
      EXPECT_EQ(r.err.find("You need to supply"), std::string::npos) << line(words);
    }
}

}  // namespace
}  // namespace vipd::vipadm::test
