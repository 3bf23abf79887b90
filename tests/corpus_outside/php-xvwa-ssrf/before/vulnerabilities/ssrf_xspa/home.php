<?php
$image = "";
echo $image;
