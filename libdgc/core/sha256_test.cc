// Tests of Sha256Hex (core/sha256.h) against the FIPS 180-2 / NIST test
// vectors and a docker context directory name.
#include "core/sha256.h"

#include <string>

#include "gtest/gtest.h"

namespace dgc {
namespace {

TEST(Sha256HexTest, EmptyInput) {
  EXPECT_EQ(Sha256Hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256HexTest, Abc) {
  EXPECT_EQ(Sha256Hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256HexTest, TwoBlockMessage) {
  EXPECT_EQ(
      Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256HexTest, MillionAs) {
  EXPECT_EQ(Sha256Hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256HexTest, EmbeddedNulBytesAreHashed) {
  // sha256 of the single byte 0x00.
  EXPECT_EQ(Sha256Hex(std::string(1, '\0')),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
}

TEST(Sha256HexTest, DockerContextDirectoryName) {
  // The docker CLI stores context "default"'s metadata under
  // contexts/meta/<sha256("default")>/.
  EXPECT_EQ(Sha256Hex("default"),
            "37a8eec1ce19687d132fe29051dca629d164e2c4958ba141d5f4133a33f0688f");
}

TEST(Sha256HexTest, IsLowerCaseHexOf64Characters) {
  std::string hex = Sha256Hex("The quick brown fox jumps over the lazy dog");
  EXPECT_EQ(hex,
            "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592");
  EXPECT_EQ(hex.find_first_not_of("0123456789abcdef"), std::string::npos);
}

}  // namespace
}  // namespace dgc
