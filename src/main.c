/* linkwell: the one binary. Everything is a subcommand (src/cli/). */
#include "cli/cli.h"

int main(int argc, char **argv) {
    return cli_main(argc, argv);
}
