//! The `idpctl` binary: parses nothing itself, it hands over to the library.

fn main() -> std::process::ExitCode {
    idpctl::run()
}
