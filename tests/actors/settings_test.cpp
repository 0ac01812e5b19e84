#include "faust/settings.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <stdexcept>
#include <string>

namespace {

/// Sets an environment variable for one scope and restores its absence.
class scoped_env {
public:
  scoped_env(const char* name, const char* value) : name_(name) {
    ::setenv(name, value, 1);
  }
  ~scoped_env() { ::unsetenv(name_); }
  scoped_env(const scoped_env&) = delete;
  scoped_env& operator=(const scoped_env&) = delete;

private:
  const char* name_;
};

std::string environment_error(faust::app_settings& s) {
  try {
    faust::apply_environment(s);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return {};
}

} // namespace

TEST_CASE("the scheduler's settings come from the environment") {
  faust::app_settings s;
  s.id = "settings-test";
  CHECK(s.worker_threads == 0);
  CHECK(s.worker_idle_poll == std::chrono::microseconds{1000});
  scoped_env threads("F_WORKER_THREADS", "3");
  scoped_env poll("FAUST_WORKER_IDLE_POLL", "250");
  faust::apply_environment(s);
  CHECK(s.worker_threads == 3);
  CHECK(s.worker_idle_poll == std::chrono::microseconds{250});
  CHECK_NOTHROW(faust::validate(s));
}

TEST_CASE("a negative thread count is an error naming the variable") {
  faust::app_settings s;
  scoped_env threads("F_WORKER_THREADS", "-1");
  auto error = environment_error(s);
  CHECK(error.find("F_WORKER_THREADS='-1'") != std::string::npos);
  CHECK(error.find("non-negative") != std::string::npos);
  CHECK(s.worker_threads == 0);
}

TEST_CASE("a negative idle poll is rejected by validate") {
  faust::app_settings s;
  s.id = "settings-test";
  s.worker_idle_poll = std::chrono::microseconds{-5};
  CHECK_THROWS_WITH_AS(faust::validate(s), "worker_idle_poll must be 0 or more",
                       std::invalid_argument);
  scoped_env poll("F_WORKER_IDLE_POLL", "soon");
  auto error = environment_error(s);
  CHECK(error.find("F_WORKER_IDLE_POLL='soon': expected an integer") !=
        std::string::npos);
}

TEST_CASE("the cluster's settings come from the environment and are checked") {
  faust::app_settings s;
  s.id = "settings-test";
  CHECK(s.cluster_port == 0);
  CHECK(s.cluster_host.empty());
  {
    scoped_env port("F_CLUSTER_PORT", "7001");
    scoped_env host("FAUST_CLUSTER_HOST", "10.0.0.5");
    scoped_env id("F_WORKER_ID", "worker-7");
    faust::apply_environment(s);
  }
  CHECK(s.cluster_port == 7001);
  CHECK(s.cluster_host == "10.0.0.5");
  CHECK(s.worker_id == "worker-7");
  CHECK_NOTHROW(faust::validate(s));

  s.cluster_port = 70000;
  CHECK_THROWS_WITH_AS(faust::validate(s),
                       doctest::Contains("cluster_port 70000"),
                       std::invalid_argument);
  s.cluster_port = 0;
  s.cluster_host = "0.0.0.0";
  CHECK_THROWS_WITH_AS(faust::validate(s), doctest::Contains("not a wildcard"),
                       std::invalid_argument);
  s.cluster_host = "10.0.0.5";
  s.cluster_connection_timeout = s.cluster_heartbeat_interval;
  CHECK_THROWS_WITH_AS(faust::validate(s),
                       doctest::Contains("cluster_connection_timeout"),
                       std::invalid_argument);
  s.cluster_connection_timeout = 5 * s.cluster_heartbeat_interval;

  // TLS: the three files together, each readable.
  CHECK_FALSE(s.cluster_tls());
  {
    scoped_env cert("F_CLUSTER_TLS_CERTIFICATE", "/nonexistent/node.pem");
    faust::apply_environment(s);
  }
  CHECK(s.cluster_tls());
  CHECK_THROWS_WITH_AS(faust::validate(s), doctest::Contains("together"),
                       std::invalid_argument);
  s.cluster_tls_key = "/nonexistent/node.key";
  s.cluster_tls_cafile = "/nonexistent/ca.pem";
  CHECK_THROWS_WITH_AS(faust::validate(s),
                       doctest::Contains("cannot read '/nonexistent/node.pem'"),
                       std::invalid_argument);
}
