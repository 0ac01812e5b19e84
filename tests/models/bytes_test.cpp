#include "models/bytes.hpp"
#include "models/message.hpp"

#include <doctest/doctest.h>

#include <memory>
#include <string>

using faust::models::bytes;

TEST_CASE("bytes made from a string own a copy, like a string") {
  std::string text(100, 'x'); // past the small-string buffer
  bytes a{text};
  text.assign(100, 'y');
  CHECK(a == std::string(100, 'x'));
  bytes b = a;
  a = bytes{};
  CHECK(a.empty());
  CHECK(b.size() == 100);
  CHECK(b.str() == std::string(100, 'x'));
}

TEST_CASE("bytes viewing a buffer keep it alive until the last copy goes") {
  struct buffer {
    std::string data;
    bool* destroyed;
    ~buffer() { *destroyed = true; }
  };
  bool destroyed = false;
  auto owner = std::make_shared<buffer>("key:value", &destroyed);
  std::string_view all = owner->data;
  bytes key{all.substr(0, 3), owner};
  bytes value{all.substr(4), owner};
  owner.reset();
  CHECK_FALSE(destroyed);
  CHECK(key == "key");
  CHECK(value == "value");
  bytes shared = value;
  CHECK(shared.data() == value.data()); // shared, not copied
  shared = bytes{};
  faust::models::message m;
  m.value = value;
  value = bytes{};
  key = bytes{};
  CHECK_FALSE(destroyed); // the message still views it
  CHECK(*m.value == "value");
  m.value.reset();
  CHECK(destroyed);
}
