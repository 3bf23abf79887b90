package co.ostorlab.myapplication

import android.os.Bundle
import androidx.activity.ComponentActivity

class DeviceManagerActivity : ComponentActivity() {

    data class DeviceInfo(val name: String, val address: String, val type: String, val batteryLevel: Int)

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
    }
}
