/* `sqz compress`: a .sqz re-encoded with compact weights, from the weights alone. */
#ifndef SQZ_TOOLS_COMPRESS_H
#define SQZ_TOOLS_COMPRESS_H

/* argv after the subcommand; returns the exit status. */
int sqz_compress_main(int argc, char **argv);

#endif
