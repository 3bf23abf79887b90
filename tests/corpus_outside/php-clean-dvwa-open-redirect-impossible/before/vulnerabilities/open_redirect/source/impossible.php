<?php

echo "Missing redirect target.";
exit;
?>
