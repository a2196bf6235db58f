import TenkenCLI

#if canImport(Glibc)
import Glibc
#endif

exit(CLI.run(Array(CommandLine.arguments.dropFirst()), console: Console.standard()))
