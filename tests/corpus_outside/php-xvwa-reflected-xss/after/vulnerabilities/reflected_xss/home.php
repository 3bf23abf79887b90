<div class="well">
<p>Enter your message here.</p>
            <?php
                echo $_GET['item']; // EXPECT reflected XSS
            ?>
</div>
