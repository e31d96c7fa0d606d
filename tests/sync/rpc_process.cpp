#include "rpc_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <deque>
#include <climits>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace whisp::synctest {
namespace {

std::string to_json(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

RpcReply reply_of(const std::string& line) {
  RpcReply r;
  r.raw = line;
  rapidjson::Document doc;
  doc.Parse(line.c_str());
  if (doc.HasParseError() || !doc.IsObject()) {
    r.message = "unparsable response";
    return r;
  }
  if (doc.HasMember("result")) {
    r.ok = true;
    r.result = to_json(doc["result"]);
  } else if (doc.HasMember("error") && doc["error"].IsObject()) {
    const auto& e = doc["error"];
    if (e.HasMember("code") && e["code"].IsInt()) r.code = e["code"].GetInt();
    if (e.HasMember("message") && e["message"].IsString()) r.message = e["message"].GetString();
  }
  return r;
}

}  // namespace

std::string RpcProcess::whisp_binary() {
  char buf[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "whisp";
  std::string self(buf, static_cast<std::size_t>(n));
  return self.substr(0, self.rfind('/') + 1) + "whisp";
}

RpcProcess::RpcProcess(RpcOptions options) : options_(std::move(options)) {
  ::signal(SIGPIPE, SIG_IGN);  // a killed child must not kill the test with it
  int in[2], out[2];
  // O_CLOEXEC: a sibling child must not inherit our ends (it would hold the EOF back).
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) {
    throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  }
  std::string binary = whisp_binary();
  std::vector<std::string> args = {binary, "rpc", "--server", options_.server_url, "--db",
                                   options_.db, "--user", options_.user, "--password",
                                   options_.password, "--api-key", options_.api_key,
                                   "--log-level", options_.log_level};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int err_fd = ::open(options_.stderr_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid_ == 0) {
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    if (err_fd >= 0) ::dup2(err_fd, 2);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  if (err_fd >= 0) ::close(err_fd);
  ::close(in[0]);
  ::close(out[1]);
  in_fd_ = in[1];
  out_fd_ = out[0];
  reader_ = std::thread([this] { read_loop(); });
}

RpcProcess::~RpcProcess() {
  if (running() && close_and_wait(std::chrono::seconds(10)) < 0) kill9();
  if (in_fd_ >= 0) ::close(in_fd_);
  if (reader_.joinable()) reader_.join();
  if (out_fd_ >= 0) ::close(out_fd_);
}

void RpcProcess::read_loop() {
  std::string pending;
  char buf[65536];
  while (true) {
    ssize_t n = ::read(out_fd_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    pending.append(buf, static_cast<std::size_t>(n));
    std::size_t start = 0, nl;
    std::lock_guard<std::mutex> lock(mutex_);
    while ((nl = pending.find('\n', start)) != std::string::npos) {
      std::string line = pending.substr(start, nl - start);
      start = nl + 1;
      ++lines_;
      rapidjson::Document doc;
      doc.Parse(line.c_str());
      if (doc.HasParseError() || !doc.IsObject()) {
        notifications_.push_back(line);  // kept for the record; no test expects it
        continue;
      }
      if (doc.HasMember("id") && doc["id"].IsInt64()) {
        responses_[static_cast<long>(doc["id"].GetInt64())] = line;
      } else if (doc.HasMember("result") || doc.HasMember("error")) {
        null_id_responses_.push_back(line);
      } else {
        notifications_.push_back(line);
      }
    }
    pending.erase(0, start);
    cv_.notify_all();
  }
  std::lock_guard<std::mutex> lock(mutex_);
  eof_ = true;
  cv_.notify_all();
}

void RpcProcess::send_line(const std::string& line) {
  std::string data = line + "\n";
  const char* p = data.data();
  std::size_t left = data.size();
  while (left > 0) {
    ssize_t n = ::write(in_fd_, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the child is gone: the wait for the answer times out
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

RpcReply RpcProcess::wait_response(std::optional<long> id, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  std::string line;
  bool got = cv_.wait_for(lock, timeout, [&] {
    if (id) {
      auto it = responses_.find(*id);
      if (it == responses_.end()) return eof_;
      line = std::move(it->second);
      responses_.erase(it);
      return true;
    }
    if (null_id_responses_.empty()) return eof_;
    line = std::move(null_id_responses_.front());
    null_id_responses_.pop_front();
    return true;
  });
  if (!got || line.empty()) {
    RpcReply r;
    r.timed_out = true;
    r.message = eof_ ? "the client exited" : "no response in time";
    return r;
  }
  return reply_of(line);
}

RpcReply RpcProcess::call(const std::string& method, const std::string& params_json,
                          std::chrono::milliseconds timeout) {
  long id = next_id();
  send_line(R"({"jsonrpc":"2.0","id":)" + std::to_string(id) + R"(,"method":")" + method +
            R"(","params":)" + params_json + "}");
  return wait_response(id, timeout);
}

rapidjson::Document RpcProcess::must(const std::string& method, const std::string& params_json,
                                     std::chrono::milliseconds timeout) {
  auto r = call(method, params_json, timeout);
  if (!r.ok) {
    throw std::runtime_error(options_.user + ": " + method + " " + params_json + ": " +
                             (r.timed_out ? r.message : r.raw));
  }
  rapidjson::Document doc;
  doc.Parse(r.result.c_str());
  return doc;
}

std::size_t RpcProcess::notification_count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return notifications_.size();
}

bool RpcProcess::reconnect(std::chrono::milliseconds timeout) {
  auto from = notification_count();
  if (!call("goOffline", "{}", timeout).ok) return false;
  // A client that was already down (reconnecting after a fault) reports nothing new: the wait
  // is only there so that goOnline does not overtake the drop.
  wait_notification([](const rapidjson::Document& n) {
    return n.HasMember("method") && std::string(n["method"].GetString()) == "connection" &&
           std::string(n["params"]["state"].GetString()) == "disconnected";
  }, std::min(timeout, std::chrono::milliseconds(3000)), from);
  return call("goOnline", "{}", timeout).ok;
}

bool RpcProcess::wait_notification(const std::function<bool(const rapidjson::Document&)>& pred,
                                   std::chrono::milliseconds timeout, std::size_t from) {
  std::unique_lock<std::mutex> lock(mutex_);
  std::size_t looked = from;
  return cv_.wait_for(lock, timeout, [&] {
    for (; looked < notifications_.size(); ++looked) {
      rapidjson::Document doc;
      doc.Parse(notifications_[looked].c_str());
      if (!doc.HasParseError() && pred(doc)) return true;
    }
    return eof_;
  }) && !eof_;
}

void RpcProcess::wait_change(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  auto seen = lines_;
  cv_.wait_for(lock, timeout, [&] { return lines_ != seen || eof_; });
}

void RpcProcess::kill9() {
  if (reaped_) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, &status_, 0);
  reaped_ = true;
}

bool RpcProcess::running() {
  if (reaped_) return false;
  if (::waitpid(pid_, &status_, WNOHANG) == pid_) reaped_ = true;
  return !reaped_;
}

int RpcProcess::close_and_wait(std::chrono::milliseconds timeout) {
  if (in_fd_ >= 0) {
    ::close(in_fd_);
    in_fd_ = -1;
  }
  bool eof;
  {
    // EOF on its stdout comes when the child exits (its stdout closes).
    std::unique_lock<std::mutex> lock(mutex_);
    eof = cv_.wait_for(lock, timeout, [&] { return eof_; });
  }
  if (!reaped_) {
    if (!eof) return -1;
    ::waitpid(pid_, &status_, 0);  // its stdout is closed: it is exiting
    reaped_ = true;
  }
  return WIFEXITED(status_) ? WEXITSTATUS(status_) : 128 + WTERMSIG(status_);
}

std::string RpcProcess::stderr_lines_with(const std::string& needle, std::size_t max) const {
  std::ifstream in(options_.stderr_file);
  std::deque<std::string> kept;
  for (std::string line; std::getline(in, line);) {
    if (line.find(needle) == std::string::npos) continue;
    kept.push_back(line);
    if (kept.size() > max) kept.pop_front();
  }
  std::string out;
  for (const auto& l : kept) out += "    " + l + "\n";
  return out;
}

std::string RpcProcess::stderr_text() const {
  std::ifstream in(options_.stderr_file);
  std::stringstream s;
  s << in.rdbuf();
  auto text = s.str();
  return text.size() > 8000 ? "..." + text.substr(text.size() - 8000) : text;
}

}  // namespace whisp::synctest
