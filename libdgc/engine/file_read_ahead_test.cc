// FileReadAhead: a regular file arrives whole, byte for byte as ReadFile
// reads it; what is not a regular file of a known size is left to ReadFile;
// a missing file is named; destroying the reader early stops it; and a
// snapshot file read ahead gives the inventory its text gives.
#include "engine/file_read_ahead.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "core/plan_json.h"
#include "core/planner.h"
#include "core/snapshot.h"
#include "core/test_inventory.h"
#include "engine/files.h"
#include "engine/session.h"

namespace dgc {
namespace {

namespace fs = std::filesystem;

class FileReadAheadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ =
        fs::temp_directory_path() /
        ("dgc-read-ahead-" + std::to_string(::getpid()) + "-" +
         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(directory_);
    fs::create_directories(directory_);
  }
  void TearDown() override { fs::remove_all(directory_); }

  // Writes `contents` to a file of the directory and returns its path.
  std::string Write(const std::string& name, const std::string& contents) {
    std::string path = (directory_ / name).string();
    std::ofstream(path, std::ios::binary) << contents;
    return path;
  }

  fs::path directory_;
};

// Bytes of every value, `size` of them.
std::string Bytes(size_t size) {
  std::mt19937 random(42);
  std::string bytes(size, '\0');
  for (char& byte : bytes) byte = static_cast<char>(random());
  return bytes;
}

TEST_F(FileReadAheadTest, ARegularFileArrivesWhole) {
  std::string contents = Bytes((size_t{9} << 20) + 12345);  // pieces and more
  std::string path = Write("file", contents);
  absl::StatusOr<std::unique_ptr<FileReadAhead>> file =
      FileReadAhead::Start(path);
  ASSERT_TRUE(file.ok()) << file.status();
  ASSERT_NE(*file, nullptr);
  EXPECT_TRUE((*file)->Finish().ok());
  EXPECT_TRUE((*file)->text().whole().view() == contents);
  absl::StatusOr<PaddedBody> read = ReadFile(path);
  ASSERT_TRUE(read.ok());
  EXPECT_TRUE((*file)->text().whole().view() == read->view());
}

TEST_F(FileReadAheadTest, AMissingFileIsNamed) {
  std::string path = (directory_ / "missing.json").string();
  absl::StatusOr<std::unique_ptr<FileReadAhead>> file =
      FileReadAhead::Start(path);
  ASSERT_FALSE(file.ok());
  EXPECT_TRUE(absl::IsNotFound(file.status()));
  EXPECT_EQ(file.status().message(), "file not found: " + path);
}

TEST_F(FileReadAheadTest, WhatIsNotARegularFileOfKnownSizeIsLeftToReadFile) {
  for (const std::string& path :
       {std::string("-"), directory_.string(), Write("empty", "")}) {
    absl::StatusOr<std::unique_ptr<FileReadAhead>> file =
        FileReadAhead::Start(path);
    ASSERT_TRUE(file.ok()) << path << ": " << file.status();
    EXPECT_EQ(*file, nullptr) << path;
  }
  absl::StatusOr<std::unique_ptr<FileReadAhead>> large =
      FileReadAhead::Start(Write("large", "12345"), /*max_bytes=*/4);
  ASSERT_TRUE(large.ok());
  EXPECT_EQ(*large, nullptr);  // ReadFile says it is too large
}

TEST_F(FileReadAheadTest, DestroyingTheReaderEarlyStopsIt) {
  std::string path = Write("big", Bytes(size_t{64} << 20));
  for (int i = 0; i < 5; ++i) {
    absl::StatusOr<std::unique_ptr<FileReadAhead>> file =
        FileReadAhead::Start(path);
    ASSERT_TRUE(file.ok());
    ASSERT_NE(*file, nullptr);
    (*file)->text().WaitBeyond(0);
  }  // each destroyed while (most likely) still reading: no hang, no leak
}

TEST_F(FileReadAheadTest, ASnapshotFileGivesTheInventoryItsTextGives) {
  absl::StatusOr<RawEngineBodies> raw =
      test_support::RecordedRawBodies("api-1.41");
  ASSERT_TRUE(raw.ok()) << raw.status();
  std::string text = SnapshotJson(*raw);
  std::string path = Write("snapshot.json", text);
  absl::StatusOr<Inventory> from_file = InventoryFromSnapshotFile(path);
  absl::StatusOr<Inventory> from_text =
      InventoryFromSnapshot(PaddedBody(text), path);
  ASSERT_TRUE(from_file.ok()) << from_file.status();
  ASSERT_TRUE(from_text.ok()) << from_text.status();
  Policy policy = DefaultPolicy();
  EXPECT_EQ(
      PlanToJson(ComputePlan(*from_file, policy, from_file->captured_at)),
      PlanToJson(ComputePlan(*from_text, policy, from_text->captured_at)));

  std::string cut = text.substr(0, text.size() / 2);
  std::string cut_path = Write("cut.json", cut);
  absl::StatusOr<Inventory> cut_file = InventoryFromSnapshotFile(cut_path);
  absl::StatusOr<Inventory> cut_text =
      InventoryFromSnapshot(PaddedBody(cut), cut_path);
  ASSERT_FALSE(cut_file.ok());
  EXPECT_EQ(cut_file.status(), cut_text.status());
}

}  // namespace
}  // namespace dgc
