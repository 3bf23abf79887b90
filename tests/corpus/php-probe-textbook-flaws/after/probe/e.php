<?php
$conn = mysqli_connect("localhost", "app", "pw", "app");

include($_GET['page'] . '.php'); // EXPECT lfi

$result = mysqli_query($conn, "SELECT * FROM users WHERE name = '" . $_POST['name'] . "'"); // EXPECT sqli

echo "Hello " . $_GET['name']; // EXPECT xss

system("ping -c 1 " . $_REQUEST['ip']); // EXPECT cmd

$prefs = unserialize($_COOKIE['prefs']); // EXPECT deser

$id = $_GET['id'];
$row = $conn->query("SELECT * FROM posts WHERE id = $id"); // EXPECT sqli

header("Location: " . $_GET['return']); // EXPECT redirect

$content = file_get_contents($_GET['url']); // EXPECT ssrf
