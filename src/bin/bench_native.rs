fn main() {
    tvp::bench::main();
}
