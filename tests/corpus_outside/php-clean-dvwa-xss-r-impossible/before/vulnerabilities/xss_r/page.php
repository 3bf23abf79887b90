<?php

$html = '';

echo $html;
?>
