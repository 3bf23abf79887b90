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

    fun createPathAndGetParentDir(context: Context, root: File, logicalPath: String): File? {
        // Insecurely join the root path with the user-provided logical path.
        val fullPath = File(root, logicalPath) // EXPECT path traversal

        val parentDir = fullPath.parentFile
        if (parentDir != null && !parentDir.exists()) {
            parentDir.mkdirs()
        }
        return parentDir
    }
}
