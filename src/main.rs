fn main() {
    println!("cnnc");
}
