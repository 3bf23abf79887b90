package com.purpleapps.purplecloud

import androidx.activity.ComponentActivity
import android.net.Uri
import android.os.Bundle
import android.util.Log
import androidx.lifecycle.lifecycleScope
import com.purpleapps.purplecloud.cloud.CloudManager
import com.purpleapps.purplecloud.model.LocalFile
import com.purpleapps.purplecloud.persistance.DirectoryManager
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import java.io.File

/**
 * An invisible activity that handles file uploads, triggered by an intent with the action ACTION_UPLOAD.
 */
class UploadActivity : ComponentActivity() {

    companion object {
        const val ACTION_UPLOAD = "com.purpleapps.purplecloud.action.UPLOAD"
        const val EXTRA_FILE_PATH = "com.purpleapps.purplecloud.extra.FILE_PATH"
        const val EXTRA_LOGICAL_PATH = "com.purpleapps.purplecloud.extra.LOGICAL_PATH"
        private const val TAG = "UploadActivity"
    }

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)

        lifecycleScope.launch {
            try {
                if (intent?.action == ACTION_UPLOAD) {
                    val filePath = intent.getStringExtra(EXTRA_FILE_PATH)
                    val logicalPath = intent.getStringExtra(EXTRA_LOGICAL_PATH)

                    if (filePath != null && logicalPath != null) {
                        handleUpload(filePath, logicalPath)
                    } else {
                        Log.e(TAG, "Missing file path or logical path in intent extras.")
                    }
                }
            } finally {
                if (!isFinishing) {
                    finish()
                }
            }
        }
    }

    private suspend fun handleUpload(filePath: String, logicalPath: String) = withContext(Dispatchers.IO) {
        val fileOnDisk = File(filePath) // EXPECT a file chosen by another app is read and uploaded
        if (!fileOnDisk.exists() || !fileOnDisk.isFile) {
            Log.e(TAG, "File does not exist or is not a file: $filePath")
            return@withContext
        }
        val fileUri = Uri.fromFile(fileOnDisk)

        val pathSegments = logicalPath.replace('\\', '/').split('/').filter { it.isNotEmpty() }
        if (pathSegments.isEmpty()) {
            Log.e(TAG, "Invalid logical path: $logicalPath")
            return@withContext
        }
        val newFileName = pathSegments.last()

        val parentDirFile = DirectoryManager.createPathAndGetParentDir(this@UploadActivity, logicalPath)
        if (parentDirFile == null) {
            Log.e(TAG, "Failed to create directory path for $logicalPath. A file may be in the way.")
            return@withContext
        }

        DirectoryManager.addFile(this@UploadActivity, parentDirFile, fileUri, newFileName)

        val fileToUpload = LocalFile(name = newFileName, uri = fileUri, logicalPath = logicalPath)
        CloudManager.upload(this@UploadActivity, fileToUpload, logicalPath)
    }
}
