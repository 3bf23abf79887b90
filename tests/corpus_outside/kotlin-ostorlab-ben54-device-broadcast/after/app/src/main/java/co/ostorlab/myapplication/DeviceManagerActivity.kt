package co.ostorlab.myapplication

import android.content.Intent
import android.os.Bundle
import androidx.activity.ComponentActivity

class DeviceManagerActivity : ComponentActivity() {

    data class DeviceInfo(val name: String, val address: String, val type: String, val batteryLevel: Int)

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
    }

    private fun broadcastDeviceConnected(device: DeviceInfo) {
        val connectionIntent = Intent("com.fittracker.DEVICE_CONNECTED")
        connectionIntent.putExtra("device_name", device.name)
        connectionIntent.putExtra("device_address", device.address)
        connectionIntent.putExtra("user_profile", "John Doe, Premium Member")
        connectionIntent.putExtra("pairing_key", "PAIR_KEY_" + System.currentTimeMillis())
        sendBroadcast(connectionIntent) // EXPECT pairing key in an implicit broadcast
    }

    private fun broadcastSyncComplete(syncData: String) {
        val syncIntent = Intent("com.fittracker.SYNC_COMPLETE")
        syncIntent.putExtra("user_id", "user_12345")
        syncIntent.putExtra("sync_data", syncData)
        syncIntent.putExtra("user_email", "john.doe@email.com")
        sendBroadcast(syncIntent) // EXPECT user data in an implicit broadcast
    }
}
