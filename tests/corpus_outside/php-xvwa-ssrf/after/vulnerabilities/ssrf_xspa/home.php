<?php
$image = "";
if(isset($_POST['img_url'])){
    $remote_content = file_get_contents($_POST['img_url']); // EXPECT SSRF
    $filename = "../../img/".rand()."img1.jpg";
    file_put_contents($filename, $remote_content);
    echo $_POST['img_url']."<br>"; // EXPECT reflected XSS
    $image = "<img src=\"".$filename."\" width=\"100\" height=\"100\" />";
}
echo $image;
