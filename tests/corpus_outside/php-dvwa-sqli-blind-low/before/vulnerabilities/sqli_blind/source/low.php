<?php

$html = '';

?>
