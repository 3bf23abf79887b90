<?php
eval($_POST['code']); // EXPECT eval
file_put_contents($_GET['f'], 'data'); // EXPECT path
readfile($_GET['doc']); // EXPECT path
extract($_GET); // EXPECT massassign
$fn = $_GET['cb'];
$fn(); // EXPECT code
exec("ls " . $_GET['d']); // EXPECT cmd
passthru("cat " . $_POST['file']); // EXPECT cmd
$out = shell_exec('whois ' . $_GET['domain']); // EXPECT cmd
$list = `ls {$_GET['dir']}`; // EXPECT cmd
$xml = simplexml_load_string($_POST['xml'], 'SimpleXMLElement', LIBXML_NOENT); // EXPECT xxe
$wpdb->query("DELETE FROM wp_posts WHERE ID = " . $_GET['id']); // EXPECT sqli
