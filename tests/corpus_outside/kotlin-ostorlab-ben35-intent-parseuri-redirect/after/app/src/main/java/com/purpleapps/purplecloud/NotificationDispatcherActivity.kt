package com.purpleapps.purplecloud

import android.annotation.SuppressLint
import android.app.Activity
import android.content.Intent
import android.os.Bundle
import android.util.Log

/**
 * An activity that dispatches intents, for example from notifications.
 * It is exported and can be called by other applications.
 */
class NotificationDispatcherActivity : Activity() {

    companion object {
        const val EXTRA_REDIRECT_INTENT = "com.purpleapps.purplecloud.REDIRECT_INTENT"
        private const val TAG = "NotificationDispatcher"
    }

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)

        try {
            // Get the nested intent URI from the extras as a String.
            val redirectIntentUri = intent.getStringExtra(EXTRA_REDIRECT_INTENT)
            Log.i(TAG, "Received redirect intent URI: $redirectIntentUri")
            if (redirectIntentUri != null) {
                // Parse the URI string into an Intent object.
                val redirectIntent = Intent.parseUri(redirectIntentUri, Intent.URI_INTENT_SCHEME)

                // Launch the nested intent with the identity and permissions of this app.
                startActivity(redirectIntent) // EXPECT intent redirection
                Log.i(TAG, "Redirected intent successfully.")
            } else {
                Log.w(TAG, "No redirect intent URI found in extras.")
            }
        } catch (e: Exception) {
            Log.e(TAG, "Error while redirecting intent", e)
        } finally {
            // Ensure the dispatcher activity is always closed.
            if (!isFinishing) {
                finish()
            }
        }
    }
}
