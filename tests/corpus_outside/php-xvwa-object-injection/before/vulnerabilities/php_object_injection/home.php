<?php
echo "parameter is missing";
