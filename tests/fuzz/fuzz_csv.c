/* Fuzz target: the CSV importer (src/io/import_csv.c, the
 * duplicates policies of src/io/import_common.c). See fuzz_import.h. */
#include "fuzz_import.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  bn_fuzz_setup();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return bn_fuzz_import("csv", data, size);
}
