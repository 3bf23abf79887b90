package com.purpleapps.purplecloud.persistance

import android.content.Context
import java.io.File

object DirectoryManager {
    fun getRoot(context: Context, userEmail: String): File {
        val userCloudRootDir = File(context.filesDir, "cloud_root/$userEmail")
        if (!userCloudRootDir.exists()) {
            userCloudRootDir.mkdirs()
        }
        return userCloudRootDir
    }
}
